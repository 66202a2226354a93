"""Demo-only stand-in for the bank's app login: issues a customer's in-app chat token.

In production the bank's mobile app signs these tokens after its own login; this router
exists only when DEMO_MODE=true so a developer can chat as a synthetic customer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from core import app_token
from crm.api.deps import CustomerDep, DbSession
from crm.models import Customer
from crm.settings import get_settings

router = APIRouter(prefix="/demo", tags=["demo"])

TOKEN_TTL_SECONDS = 15 * 60


class DemoCustomer(BaseModel):
    id: int
    customer_no: str
    first_name: str


class AppToken(BaseModel):
    token: str
    expires_in: int


@router.get("/customers", response_model=list[DemoCustomer])
def demo_customers(
    session: DbSession, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> list[DemoCustomer]:
    rows = session.scalars(select(Customer).order_by(Customer.id).limit(limit))
    return [
        DemoCustomer(id=c.id, customer_no=c.customer_no, first_name=c.full_name.split()[0])
        for c in rows
    ]


@router.post("/customers/{customer_id}/app-token", response_model=AppToken)
def demo_app_token(customer: CustomerDep) -> AppToken:
    token = app_token.issue(customer.id, get_settings().app_jwt_secret, TOKEN_TTL_SECONDS)
    return AppToken(token=token, expires_in=TOKEN_TTL_SECONDS)
