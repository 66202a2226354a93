"""Complaints: create (reference number and SLA due date) and list."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status

from crm.api.deps import CustomerDep, DbSession, require_service_token
from crm.schemas import ComplaintIn, ComplaintOut
from crm.service import cases

router = APIRouter(
    prefix="/customers", tags=["complaints"], dependencies=[Depends(require_service_token)]
)


@router.post(
    "/{customer_id}/complaints", response_model=ComplaintOut, status_code=status.HTTP_201_CREATED
)
def add_complaint(
    customer: CustomerDep, body: ComplaintIn, session: DbSession, response: Response
) -> ComplaintOut:
    """201 with the new complaint; 200 with the earlier one when this `request_key` (the
    customer message that asked) already filed it."""
    complaint, filed_now = cases.file_complaint(
        session, customer.id, body.category, body.description, body.channel, body.request_key
    )
    if not filed_now:
        response.status_code = status.HTTP_200_OK
    return complaint


@router.get("/{customer_id}/complaints", response_model=list[ComplaintOut])
def read_complaints(customer: CustomerDep, session: DbSession) -> list[ComplaintOut]:
    return cases.complaints(session, customer.id)
