"""Churn risk with its factors, and the signals the assistant hears (e.g. a wish to close)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status

from crm.api.deps import CustomerDep, DbSession, require_service_token
from crm.schemas import ChurnRiskOut, ChurnSignalIn
from crm.service import cases

router = APIRouter(
    prefix="/customers", tags=["retention"], dependencies=[Depends(require_service_token)]
)


@router.get("/{customer_id}/churn-risk", response_model=ChurnRiskOut)
def read_churn_risk(customer: CustomerDep, session: DbSession) -> ChurnRiskOut:
    """Score 0-1 and the top factors, strongest first (each with code, text and figures)."""
    return cases.churn_risk(session, customer.id)


@router.post(
    "/{customer_id}/churn-signals", response_model=ChurnRiskOut, status_code=status.HTTP_201_CREATED
)
def add_churn_signal(
    customer: CustomerDep, body: ChurnSignalIn, session: DbSession
) -> ChurnRiskOut:
    """Record the signal and answer with the churn risk it leads to."""
    return cases.record_churn_signal(
        session, customer.id, body.signal, body.channel, body.conversation_id
    )
