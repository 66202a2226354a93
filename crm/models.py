"""SQLAlchemy models: the single customer record, its channels, products, offers and history.

Money is `Numeric(14, 2)` (Decimal in Python) everywhere. Schemas for the HTTP API live
apart, in `crm.schemas`; the analytics that fill the derived tables live in `crm.analytics`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.clock import business_now, utcnow
from crm.db import Base

Money = Numeric(14, 2)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_no: Mapped[str] = mapped_column(String(16), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(String(32))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    city: Mapped[str] = mapped_column(String(64))
    joined_on: Mapped[dt.date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(8), default="en")

    identities: Mapped[list[ChannelIdentity]] = relationship(back_populates="customer")
    accounts: Mapped[list[Account]] = relationship(back_populates="customer")
    cards: Mapped[list[Card]] = relationship(back_populates="customer")


class ChannelIdentity(Base):
    """One customer, many channels: an app user, a Telegram chat, a phone line."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    linked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=business_now)

    customer: Mapped[Customer] = relationship(back_populates="identities")


class Product(Base):
    __tablename__ = "products"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # The name in the customers' other languages ({"zh": "..."}); `name` is the English one.
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    category: Mapped[str] = mapped_column(String(32))
    risk_level: Mapped[int] = mapped_column(Integer, default=1)
    description: Mapped[str] = mapped_column(Text, default="")


class Account(Base):
    """A holding: current, savings, time deposit, credit card, loan, mortgage, wealth, insurance.

    Loans and credit cards carry what is owed as a negative balance.
    """

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"))
    kind: Mapped[str] = mapped_column(String(24))
    number: Mapped[str] = mapped_column(String(24), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    balance: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_on: Mapped[dt.date] = mapped_column(Date)
    credit_limit: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)

    customer: Mapped[Customer] = relationship(back_populates="accounts")


class Card(Base):
    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(String(16))
    last4: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(16), default="active")
    expires_on: Mapped[dt.date] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=business_now)

    customer: Mapped[Customer] = relationship(back_populates="cards")


class Transaction(Base):
    """A posting on an account; `balance_after` is the running balance, as on a statement."""

    __tablename__ = "transactions"
    __table_args__ = (
        Index("ix_transactions_customer_time", "customer_id", "posted_at"),
        Index("ix_transactions_account_time", "account_id", "posted_at"),
        Index("ix_transactions_kind_time", "kind", "posted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    amount: Mapped[Decimal] = mapped_column(Money)
    kind: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(16), default="posted")
    balance_after: Mapped[Decimal | None] = mapped_column(Money, nullable=True)


class AccountMonth(Base):
    """Average daily balance of an account in one calendar month (month = year*12 + month-1).

    Precomputed so the deposit-event scan and the offer engine never walk raw history.
    """

    __tablename__ = "account_months"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    avg_balance: Mapped[Decimal] = mapped_column(Money)
    end_balance: Mapped[Decimal] = mapped_column(Money)
    days: Mapped[int] = mapped_column(Integer)


class Offer(Base):
    __tablename__ = "offers"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"))
    title: Mapped[str] = mapped_column(String(160))
    names: Mapped[dict] = mapped_column(JSON, default=dict)  # title by language, as Product
    purpose: Mapped[str] = mapped_column(String(16))  # cross_sell | retention | event
    category: Mapped[str] = mapped_column(String(24), default="account")
    margin: Mapped[Decimal] = mapped_column(Money)
    base_rate: Mapped[float] = mapped_column(Float, default=0.05)
    contexts: Mapped[list] = mapped_column(JSON, default=list)
    rules: Mapped[dict] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CustomerFeatures(Base):
    """Per-customer aggregates over the history: what segmentation, churn and offers read."""

    __tablename__ = "customer_features"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    as_of: Mapped[dt.datetime] = mapped_column(DateTime)
    age: Mapped[int] = mapped_column(Integer)
    tenure_years: Mapped[int] = mapped_column(Integer)
    monthly_income: Mapped[Decimal] = mapped_column(Money)
    monthly_card_spend: Mapped[Decimal] = mapped_column(Money)
    fees_90d: Mapped[Decimal] = mapped_column(Money)
    fee_count_90d: Mapped[int] = mapped_column(Integer)
    fees_12m: Mapped[Decimal] = mapped_column(Money)
    salary_months_6m: Mapped[int] = mapped_column(Integer)
    salary_months_prev_6m: Mapped[int] = mapped_column(Integer)
    avg_balance_3m: Mapped[Decimal] = mapped_column(Money)
    avg_balance_prev_3m: Mapped[Decimal] = mapped_column(Money)
    deposit_balance: Mapped[Decimal] = mapped_column(Money)
    wealth_balance: Mapped[Decimal] = mapped_column(Money)
    risky_wealth_balance: Mapped[Decimal] = mapped_column(Money)
    loan_balance: Mapped[Decimal] = mapped_column(Money)
    card_debt: Mapped[Decimal] = mapped_column(Money)
    holdings: Mapped[list] = mapped_column(JSON, default=list)  # account kinds held
    products: Mapped[list] = mapped_column(JSON, default=list)  # product codes held
    max_days_past_due: Mapped[int] = mapped_column(Integer)
    digital_interactions_12m: Mapped[int] = mapped_column(Integer)
    assisted_interactions_12m: Mapped[int] = mapped_column(Integer)
    branch_visits_12m: Mapped[int] = mapped_column(Integer)
    complaints_180d: Mapped[int] = mapped_column(Integer)
    fee_complaints_180d: Mapped[int] = mapped_column(Integer)
    wish_to_close_90d: Mapped[int] = mapped_column(Integer)


class SegmentAssignment(Base):
    """The latest segment and risk appetite of a customer, with the reasons in words and figures."""

    __tablename__ = "segment_assignments"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    segment: Mapped[str] = mapped_column(String(32))
    risk_appetite: Mapped[str] = mapped_column(String(24))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=business_now)


class Opportunity(Base):
    """A marketing moment found in the data, e.g. a deposit far above the 6-month average."""

    __tablename__ = "opportunities"
    __table_args__ = (
        UniqueConstraint("kind", "transaction_id", name="uq_opportunity_source"),
        # Events without a transaction (a card expiring, salary stopping) dedupe on their own key.
        UniqueConstraint("kind", "source_key", name="uq_opportunity_source_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    offer_category: Mapped[str] = mapped_column(String(24), default="wealth")
    reason: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("transactions.id"))
    source_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=business_now)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class OfferPresentation(Base):
    """Closed loop: every offer shown, by whom and where, and what the customer did."""

    __tablename__ = "offer_presentations"
    __table_args__ = (Index("ix_offer_presentations_customer_time", "customer_id", "presented_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    offer_code: Mapped[str] = mapped_column(ForeignKey("offers.code"))
    context: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    presented_by: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    segment: Mapped[str | None] = mapped_column(String(32))
    propensity: Mapped[float | None] = mapped_column(Float, nullable=True)
    presented_at: Mapped[dt.datetime] = mapped_column(DateTime, default=business_now)
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ChurnSignal(Base):
    """Something the customer said or did that hints at leaving (e.g. a wish to close)."""

    __tablename__ = "churn_signals"
    __table_args__ = (Index("ix_churn_signals_customer_time", "customer_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    signal: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=business_now)


class ModelArtifact(Base):
    """A trained model's parameters as JSON (no pickles), kept with the data it was trained on."""

    __tablename__ = "model_artifacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), index=True)
    trained_at: Mapped[dt.datetime] = mapped_column(DateTime, default=business_now)
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    params: Mapped[dict] = mapped_column(JSON, default=dict)


class Complaint(Base):
    __tablename__ = "complaints"
    # The customer message that filed it (e.g. app:12:m-7): a retried turn files it once.
    __table_args__ = (
        UniqueConstraint("customer_id", "request_key", name="uq_complaints_customer_request"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=business_now)
    sla_due: Mapped[dt.date] = mapped_column(Date)
    request_key: Mapped[str | None] = mapped_column(String(160), nullable=True)


class Interaction(Base):
    """A touchpoint on any channel (chat, call, branch visit) for the single interaction history."""

    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_customer_time", "customer_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text, default="")
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime, default=business_now)


class LinkCode(Base):
    """A one-time code that links a messaging account (e.g. a Telegram chat) to a customer.

    Issued only to a verified in-app customer; valid for minutes, single use; only a hash
    of the code is stored."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
