"""Complaints: create (reference number and SLA due date) and list."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status
from sqlalchemy import select

from crm.api.deps import CustomerDep, DbSession, require_service_token
from crm.complaints import create_complaint
from crm.models import Complaint
from crm.schemas import ComplaintIn, ComplaintOut

router = APIRouter(
    prefix="/customers", tags=["complaints"], dependencies=[Depends(require_service_token)]
)


@router.post(
    "/{customer_id}/complaints", response_model=ComplaintOut, status_code=status.HTTP_201_CREATED
)
def add_complaint(customer: CustomerDep, body: ComplaintIn, session: DbSession) -> ComplaintOut:
    row = create_complaint(session, customer.id, body.category, body.description, body.channel)
    return ComplaintOut.model_validate(row)


@router.get("/{customer_id}/complaints", response_model=list[ComplaintOut])
def read_complaints(customer: CustomerDep, session: DbSession) -> list[ComplaintOut]:
    rows = session.scalars(
        select(Complaint)
        .where(Complaint.customer_id == customer.id)
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
    )
    return [ComplaintOut.model_validate(c) for c in rows]
