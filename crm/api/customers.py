"""Customer profile (with segment and reasons), accounts and recent transactions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from crm.api.deps import CustomerDep, DbSession, require_service_token
from crm.schemas import AccountOut, ProfileOut, TransactionOut
from crm.service import customers

router = APIRouter(
    prefix="/customers", tags=["customers"], dependencies=[Depends(require_service_token)]
)


@router.get("/{customer_id}", response_model=ProfileOut)
def read_customer(customer: CustomerDep, session: DbSession) -> ProfileOut:
    """The single customer view: who they are, their segment and risk appetite, and why."""
    return customers.profile(session, customer)


@router.get("/{customer_id}/accounts", response_model=list[AccountOut])
def read_accounts(customer: CustomerDep, session: DbSession) -> list[AccountOut]:
    return customers.accounts(session, customer.id)


@router.get("/{customer_id}/transactions", response_model=list[TransactionOut])
def read_transactions(
    customer: CustomerDep,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    since: Annotated[dt.date | None, Query(description="Only on or after this day")] = None,
    kind: Annotated[str | None, Query(max_length=24, pattern=r"^[a-z_]+$")] = None,
) -> list[TransactionOut]:
    """Newest first (pending ones included, marked by status)."""
    return customers.transactions(session, customer.id, limit, since, kind)
