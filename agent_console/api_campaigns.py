"""Console API and page: campaigns for marketing staff (marketers and supervisors).

Create a draft from a spec, preview its audience, launch it (once, however often it is
clicked), read its results and export them as CSV. Every change needs the CSRF token and
the console's own origin (ActingMarketerDep); staff see aggregates only, never a customer's
details. Launches and exports are audited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from agent_console import audit
from agent_console.console import OptionalSession, _page, _to_login
from agent_console.guards import MARKETING_ROLES, ActingMarketerDep, MarketerDep
from crm.analytics.segments import RISK_APPETITES, SEGMENT_LABELS, SEGMENTS
from crm.api.deps import MAX_ID, DbSession, http_error
from crm.clock import business_now
from crm.marketing import campaigns
from crm.marketing.audience import CHANNEL_PREFERENCES, CHANNELS, CHURN_BANDS, HOLDING_KINDS
from crm.models import Offer
from crm.service.errors import Conflict, NotFound, Unprocessable

pages = APIRouter(prefix="/console", include_in_schema=False)
router = APIRouter(prefix="/console/api/campaigns", tags=["console"])

CampaignId = Annotated[int, Path(ge=1, le=MAX_ID)]
Channel = Literal["app", "telegram", "call"]
Name = Annotated[str, Field(max_length=40)]
DEFAULT_DAYS = 30


class SpecIn(BaseModel):
    """The audience filters; values are checked against the analytics' vocabularies (422)."""

    segments: list[Name] = Field(default=[], max_length=10)
    risk_appetites: list[Name] = Field(default=[], max_length=10)
    churn_bands: list[Name] = Field(default=[], max_length=5)
    holdings_require: list[Name] = Field(default=[], max_length=10)
    holdings_exclude: list[Name] = Field(default=[], max_length=10)
    channel_preference: Literal["digital", "assisted"] | None = None
    customer_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default=[], max_length=100_000
    )


class AudienceIn(BaseModel):
    spec: SpecIn = SpecIn()
    offer_code: str = Field(max_length=32)
    channels: list[Channel] = Field(default=["app", "telegram", "call"], min_length=1, max_length=3)
    control_share: float = Field(default=0.10, ge=0, le=0.5)


class PreviewIn(AudienceIn):
    campaign_id: int | None = Field(default=None, ge=1, le=MAX_ID)  # its launch's exact split


class CampaignIn(AudienceIn):
    name: str = Field(min_length=1, max_length=120)
    starts_on: dt.date | None = None  # default: today (business clock)
    ends_on: dt.date | None = None  # default: DEFAULT_DAYS after the start
    cost_per_contact: dict[Channel, Annotated[Decimal, Field(ge=0, le=10_000)]] = {}


def _fail(exc: Exception) -> HTTPException:
    return http_error(exc)


@pages.get("/campaigns", response_class=HTMLResponse)
def campaigns_page(request: Request, login_session: OptionalSession) -> Response:
    """Campaign list, create form, preview, launch and results (drawn by campaigns.js)."""
    if login_session is None:
        return _to_login()
    if login_session.agent.role not in MARKETING_ROLES:
        return _page(request, login_session, "elsewhere.html", {}, status_code=403)
    return _page(request, login_session, "campaigns.html", {})


@router.get("/options")
def options(who: MarketerDep, session: DbSession) -> dict[str, Any]:
    """What the create form offers: segments, filters, the catalogue's active offers."""
    offers = session.query(Offer).filter(Offer.active.is_(True)).order_by(Offer.code)
    return {
        "segments": [{"code": s, "label": SEGMENT_LABELS[s]} for s in SEGMENTS],
        "risk_appetites": list(RISK_APPETITES),
        "churn_bands": list(CHURN_BANDS),
        "holdings": list(HOLDING_KINDS),
        "channel_preferences": list(CHANNEL_PREFERENCES),
        "channels": list(CHANNELS),
        "offers": [
            {"code": o.code, "title": o.title, "purpose": o.purpose, "margin": str(o.margin)}
            for o in offers
        ],
        "today": business_now().date().isoformat(),
    }


@router.get("")
def list_campaigns(who: MarketerDep, session: DbSession) -> dict[str, Any]:
    return {"campaigns": campaigns.listing(session, business_now().date())}


@router.post("", status_code=status.HTTP_201_CREATED)
def create_campaign(body: CampaignIn, who: ActingMarketerDep, session: DbSession) -> dict:
    """A draft campaign; the churn view posts one with `spec.customer_ids`."""
    now = business_now()
    starts_on = body.starts_on or now.date()
    ends_on = body.ends_on or starts_on + dt.timedelta(days=DEFAULT_DAYS)
    try:
        campaign = campaigns.create(
            session,
            name=body.name,
            spec=body.spec.model_dump(),
            offer_code=body.offer_code,
            channels=body.channels,
            starts_on=starts_on,
            ends_on=ends_on,
            control_share=body.control_share,
            cost_per_contact={k: str(v) for k, v in body.cost_per_contact.items()},
            created_by=who.id,
            now=now,
        )
    except Unprocessable as exc:
        raise _fail(exc) from None
    return campaigns.describe(campaign, now.date())


@router.post("/preview")
def preview_campaign(body: PreviewIn, who: ActingMarketerDep, session: DbSession) -> dict:
    """Audience by segment and channel, exclusions and why, control group, expected responses.

    A POST (the spec can hold thousands of customer ids) that changes nothing."""
    try:
        return campaigns.preview(
            session,
            body.spec.model_dump(),
            business_now(),
            offer_code=body.offer_code,
            channels=body.channels,
            control_share=body.control_share,
            seed=body.campaign_id or 0,
        )
    except Unprocessable as exc:
        raise _fail(exc) from None


@router.get("/{campaign_id}")
def read_campaign(campaign_id: CampaignId, who: MarketerDep, session: DbSession) -> dict:
    try:
        return campaigns.describe(campaigns.get(session, campaign_id), business_now().date())
    except NotFound as exc:
        raise _fail(exc) from None


@router.post("/{campaign_id}/launch")
def launch_campaign(campaign_id: CampaignId, who: ActingMarketerDep, session: DbSession) -> dict:
    """Launch once: a repeated or concurrent launch answers with the first launch's result."""
    try:
        result = campaigns.launch(session, campaign_id, business_now())
    except (NotFound, Conflict) as exc:
        raise _fail(exc) from None
    if result.get("launched_now"):
        audit.record(
            session,
            who.id,
            "launch_campaign",
            None,
            f"campaign {campaign_id}: {result['target']} target, {result['control']} control",
        )
    return result


@router.get("/{campaign_id}/results")
def campaign_results(campaign_id: CampaignId, who: MarketerDep, session: DbSession) -> dict:
    try:
        campaign = campaigns.get(session, campaign_id)
        data = campaigns.results(session, campaign_id)
    except NotFound as exc:
        raise _fail(exc) from None
    return data | {"campaign": campaigns.describe(campaign, business_now().date())}


@router.get("/{campaign_id}/results.csv", response_class=PlainTextResponse)
def campaign_results_csv(
    campaign_id: CampaignId, who: MarketerDep, session: DbSession
) -> PlainTextResponse:
    """The results as CSV (aggregates only; audited like every export)."""
    try:
        data = campaigns.results(session, campaign_id)
    except NotFound as exc:
        raise _fail(exc) from None
    audit.record(session, who.id, "export_campaign_results", None, f"campaign {campaign_id}")
    return PlainTextResponse(
        campaigns.results_csv(data),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="campaign-{campaign_id}.csv"'},
    )
