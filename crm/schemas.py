"""API schemas (pydantic), kept apart from the SQLAlchemy models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CustomerOut(ORMModel):
    id: int
    customer_no: str
    full_name: str
    city: str
    joined_on: dt.date
    language: str


class AccountOut(ORMModel):
    id: int
    kind: str
    product_code: str
    number_last4: str
    currency: str
    balance: Decimal
    status: str
