"""Customer profile and holdings."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import select

from crm.api.deps import CustomerDep, DbSession, require_service_token
from crm.models import Account
from crm.schemas import AccountOut, CustomerOut

router = APIRouter(
    prefix="/customers", tags=["customers"], dependencies=[Depends(require_service_token)]
)


@router.get("/{customer_id}", response_model=CustomerOut)
def read_customer(customer: CustomerDep) -> CustomerOut:
    return CustomerOut.model_validate(customer)


@router.get("/{customer_id}/accounts", response_model=list[AccountOut])
def read_accounts(customer: CustomerDep, session: DbSession) -> list[AccountOut]:
    rows = session.scalars(
        select(Account).where(Account.customer_id == customer.id).order_by(Account.id)
    )
    return [
        AccountOut(
            id=a.id,
            kind=a.kind,
            product_code=a.product_code,
            number_last4=a.number[-4:],
            currency=a.currency,
            balance=a.balance,
            status=a.status,
        )
        for a in rows
    ]
