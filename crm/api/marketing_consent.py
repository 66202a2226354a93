"""Marketing consent for the bank's app (and the assistant, which changes it in chat).

GET/PUT /customers/{id}/marketing-consent. Callers prove who they are like the other customer
routes: the service token (the action server, which only acts for a verified customer), or the
customer's own app token (the app's consent screen) for that customer and nobody else. An
answer through the app token is always recorded with source "app".
"""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from core.app_token import AppTokenVerifier, InvalidToken
from crm.api.deps import CustomerDep, CustomerId, DbSession
from crm.marketing import consent
from crm.marketing.consent_models import CHANNELS
from crm.settings import get_settings

ConsentChannel = Literal["app", "telegram", "call", "all"]
ServiceSource = Literal["chat", "app", "console", "call_outcome"]

router = APIRouter(prefix="/customers", tags=["marketing consent"])


class ChannelConsentOut(BaseModel):
    granted: bool
    source: str | None
    recorded_at: str | None


class MarketingConsentOut(BaseModel):
    customer_id: int
    channels: dict[str, ChannelConsentOut]


class MarketingConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # e.g. {"call": false} or {"all": false}; channels left out keep their answer
    channels: dict[ConsentChannel, bool] = Field(min_length=1, max_length=4)
    source: ServiceSource = "app"  # service callers only; the app's own token means "app"
    recorded_by: str | None = Field(default=None, max_length=64)


def verified_caller(
    customer_id: CustomerId, authorization: Annotated[str | None, Header()] = None
) -> str:
    """ "service" or "app": a service caller, or this very customer signed in to the app."""
    settings = get_settings()
    scheme, _, token = (authorization or "").partition(" ")
    expected = settings.crm_service_token
    if scheme.lower() == "bearer" and hmac.compare_digest(token.encode(), expected.encode()):
        return "service"
    verifier = AppTokenVerifier.from_keys(
        settings.app_jwt_secret, settings.app_jwt_public_key,
        settings.app_token_max_seconds, settings.app_jwt_issuer,
    )  # fmt: skip
    try:
        identity = verifier.verify(authorization)
    except InvalidToken as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=f"A verified customer is required ({exc}).",
            headers={"WWW-Authenticate": "Bearer"},
        ) from None
    if identity.customer_id != customer_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Only your own consent.")
    return "app"


CallerDep = Annotated[str, Depends(verified_caller)]


def _out(session, customer_id: int) -> MarketingConsentOut:
    found = consent.current_with_source(session, customer_id)
    return MarketingConsentOut(
        customer_id=customer_id,
        channels={name: ChannelConsentOut(**found[name]) for name in CHANNELS},
    )


@router.get("/{customer_id}/marketing-consent", response_model=MarketingConsentOut)
def read_marketing_consent(
    caller: CallerDep, customer: CustomerDep, session: DbSession
) -> MarketingConsentOut:
    """Per channel: consented or not, and where and when the deciding answer was given."""
    return _out(session, customer.id)


@router.put("/{customer_id}/marketing-consent", response_model=MarketingConsentOut)
def change_marketing_consent(
    caller: CallerDep, customer: CustomerDep, body: MarketingConsentIn, session: DbSession
) -> MarketingConsentOut:
    """Record the customer's answers (appended to the history; the latest one counts)."""
    source = body.source if caller == "service" else "app"
    by = body.recorded_by if caller == "service" else None
    for channel, granted in body.channels.items():
        consent.record(session, customer.id, channel, granted, source, by)
    return _out(session, customer.id)
