"""API schemas (pydantic), kept apart from the SQLAlchemy models.

Money is a JSON string with two decimals ("1520.55") everywhere, including reason figures;
propensities and scores are JSON numbers; dates are ISO 8601.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

import core.vocabulary
from crm.money import MoneyStr
from crm.text import CleanStr

# Stored naive in UTC; sent with its offset, as the API's schema (date-time) promises.
UtcDateTime = Annotated[
    dt.datetime, AfterValidator(lambda v: v if v.tzinfo else v.replace(tzinfo=dt.UTC))
]

Context = Literal["chat", "retention", "event", "agent"]
Channel = core.vocabulary.Channel
Outcome = Literal["accepted", "declined", "ignored"]
OfferCategory = Literal[
    "account", "credit_card", "deposit", "wealth", "loan", "insurance", "retention"
]
PresentedBy = Literal["bot", "assistant", "agent", "app"]
ComplaintCategory = Literal["fees", "cards", "payments", "service", "digital", "dispute", "other"]
ChurnSignalName = Literal["wish_to_close", "fee_complaint", "competitor_offer", "service_complaint"]


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ReasonOut(BaseModel):
    code: str = Field(description="Stable machine code; the assistant picks its words by it.")
    text: str = Field(description="Agent-facing English with the figures.")
    figures: dict[str, Any] = Field(description="Money as two-decimal strings, counts as ints.")


class Labelled(BaseModel):
    code: str
    label: str
    reasons: list[ReasonOut]


class CustomerOut(ORMModel):
    id: int
    customer_no: str
    full_name: str
    city: str
    joined_on: dt.date
    language: str


class ProfileOut(CustomerOut):
    age: int
    tenure_years: int
    segment: Labelled
    risk_appetite: Labelled
    figures: dict[str, Any]
    segment_computed_at: UtcDateTime


class AccountOut(ORMModel):
    id: int
    kind: str
    product_code: str
    product_name: str = ""
    product_names: dict[str, str] = {}  # the name in other languages: {"zh": "..."}
    number_last4: str
    currency: str
    balance: MoneyStr
    credit_limit: MoneyStr | None = None
    status: str
    opened_on: dt.date | None = None


class TransactionOut(ORMModel):
    id: int
    account_id: int
    posted_at: UtcDateTime
    amount: MoneyStr
    currency: str
    kind: str
    description: str
    status: str
    balance_after: MoneyStr | None


class CardOut(ORMModel):
    id: int
    account_id: int
    kind: str
    last4: str
    status: str
    expires_on: dt.date
    updated_at: UtcDateTime


class CardChangeOut(CardOut):
    previous_status: str
    changed: bool


class OfferOut(BaseModel):
    code: str
    name: str
    names: dict[str, str] = {}  # the name in other languages: {"zh": "..."}
    category: str
    product_code: str
    purpose: str
    propensity: float
    margin: MoneyStr
    expected_value: MoneyStr
    reasons: list[ReasonOut]
    opportunity_id: int | None = None


class PolicyOut(BaseModel):
    weekly_limit: int
    presented_last_7_days: int
    remaining_this_week: int
    decline_cooldown_days: int


class SkippedOffer(BaseModel):
    code: str
    rule: str
    text: str


class OffersOut(BaseModel):
    customer_id: int
    context: Context
    channel: str | None
    segment: str
    risk_appetite: str
    model: dict[str, Any]
    contact_policy: PolicyOut
    offers: list[OfferOut]
    suppressed: list[SkippedOffer]
    not_eligible: list[SkippedOffer]


class PresentationIn(BaseModel):
    offer_code: CleanStr = Field(min_length=1, max_length=32)
    context: Context
    channel: Channel
    presented_by: PresentedBy = Field(description="Who showed it: assistant (bot), agent, app.")
    conversation_id: CleanStr | None = Field(default=None, max_length=64)


class PresentationOut(ORMModel):
    id: int
    customer_id: int
    offer_code: str
    context: str
    channel: str
    presented_by: str
    conversation_id: str | None
    segment: str | None
    propensity: float | None
    presented_at: UtcDateTime
    outcome: str | None
    outcome_at: UtcDateTime | None


class OutcomeIn(BaseModel):
    outcome: Outcome


class ChurnRiskOut(BaseModel):
    customer_id: int
    score: float = Field(ge=0, le=1)
    level: Literal["low", "medium", "high"]
    factors: list[dict[str, Any]]
    as_of: UtcDateTime


class ChurnSignalIn(BaseModel):
    signal: ChurnSignalName
    channel: Channel = "app"
    conversation_id: CleanStr | None = Field(default=None, max_length=64)


class ComplaintIn(BaseModel):
    category: ComplaintCategory
    description: CleanStr = Field(min_length=1, max_length=4000)
    channel: Channel
    # The customer message that asked for it: sent again, the same complaint is answered.
    request_key: str | None = Field(default=None, min_length=1, max_length=160)


class ComplaintOut(ORMModel):
    id: int
    reference: str
    customer_id: int
    category: str
    description: str
    channel: str
    status: str
    created_at: UtcDateTime
    sla_due: dt.date


class OpportunityOut(ORMModel):
    id: int
    customer_id: int
    kind: str
    offer_category: str
    status: str
    reason: ReasonOut
    created_at: UtcDateTime
    expires_at: UtcDateTime | None


class IdentityOut(BaseModel):
    customer_id: int
    channel: str
    external_id: str


LinkableChannel = Literal["telegram"]


class LinkCodeIn(BaseModel):
    channel: LinkableChannel = "telegram"


class LinkCodeOut(BaseModel):
    code: str
    channel: str
    expires_at: UtcDateTime


class RedeemIn(BaseModel):
    code: str = Field(min_length=4, max_length=16)
    external_id: str = Field(min_length=1, max_length=64)


class ResponseRateRow(BaseModel):
    segment: str | None = None
    channel: str | None = None
    offer_code: str | None = None
    context: str | None = None
    presented_by: str | None = None
    presented: int
    accepted: int
    declined: int
    ignored: int
    pending: int
    response_rate: float = Field(description="accepted / presented")
