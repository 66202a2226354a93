"""Request dependencies: service-to-service authentication and the customer lookup."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, status
from sqlalchemy.orm import Session

from crm.db import get_session
from crm.models import Customer
from crm.service.errors import Conflict, NotFound, Unprocessable
from crm.settings import get_settings

# "function" scope: commit before the response is sent, so a caller that reads right after a
# write (e.g. records an outcome for the presentation it just created) always sees it.
DbSession = Annotated[Session, Depends(get_session, scope="function")]
MAX_ID = 2_147_483_647  # ids beyond the database's integer range are bad input, not a crash
CustomerId = Annotated[int, Path(ge=1, le=MAX_ID, description="Customer id")]


def require_service_token(authorization: Annotated[str | None, Header()] = None) -> None:
    """Only callers holding CRM_SERVICE_TOKEN (the action server, the console) get customer data."""
    expected = get_settings().crm_service_token
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="A valid service token is required (Authorization: Bearer <CRM_SERVICE_TOKEN>).",
            headers={"WWW-Authenticate": "Bearer"},
        )


def get_customer(customer_id: CustomerId, session: DbSession) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"No customer with id {customer_id}.")
    return customer


CustomerDep = Annotated[Customer, Depends(get_customer)]


STATUS_OF = {
    NotFound: status.HTTP_404_NOT_FOUND,
    Conflict: status.HTTP_409_CONFLICT,
    Unprocessable: status.HTTP_422_UNPROCESSABLE_CONTENT,
}


def http_error(exc: Exception) -> HTTPException:
    """The HTTP answer to a service-layer failure (its message is meant for the caller)."""
    for kind, code in STATUS_OF.items():
        if isinstance(exc, kind):
            return HTTPException(code, detail=str(exc))
    raise exc
