"""Churn risk with its factors, and the signals the assistant hears (e.g. a wish to close)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status

from crm.analytics.churn import churn_risk
from crm.analytics.features import features_of, refresh_features
from crm.api.deps import CustomerDep, DbSession, require_service_token
from crm.models import ChurnSignal, CustomerFeatures
from crm.schemas import ChurnRiskOut, ChurnSignalIn

router = APIRouter(
    prefix="/customers", tags=["retention"], dependencies=[Depends(require_service_token)]
)


def _risk(customer_id: int, f: CustomerFeatures) -> ChurnRiskOut:
    risk = churn_risk(f)
    return ChurnRiskOut(
        customer_id=customer_id,
        score=risk.score,
        level=risk.level,
        factors=risk.factors,
        as_of=f.as_of,
    )


@router.get("/{customer_id}/churn-risk", response_model=ChurnRiskOut)
def read_churn_risk(customer: CustomerDep, session: DbSession) -> ChurnRiskOut:
    """Score 0-1 and the top factors, strongest first (each with code, text and figures)."""
    return _risk(customer.id, features_of(session, customer.id))


@router.post(
    "/{customer_id}/churn-signals", response_model=ChurnRiskOut, status_code=status.HTTP_201_CREATED
)
def add_churn_signal(
    customer: CustomerDep, body: ChurnSignalIn, session: DbSession
) -> ChurnRiskOut:
    """Record the signal and answer with the churn risk it leads to."""
    session.add(
        ChurnSignal(
            customer_id=customer.id,
            signal=body.signal,
            channel=body.channel,
            conversation_id=body.conversation_id,
        )
    )
    session.flush()
    refresh_features(session, [customer.id])
    return _risk(customer.id, features_of(session, customer.id))
