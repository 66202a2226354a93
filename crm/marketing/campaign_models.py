"""Campaigns and their members: who was targeted, who was held back as the control group.

A campaign is a saved audience spec (segments, risk appetites, churn bands, holdings, channel
preference, optional explicit customers) with one offer, the channels in order of preference,
its dates and the control share. Launching it writes one `campaign_members` row per eligible
customer, in the target group (with the channel and the outreach item planned for them) or
in the control group (no channel, no item: never contacted), so results compare the two.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm.clock import business_now
from crm.db import Base

STATUSES = ("draft", "launched", "ended")
GROUPS = ("target", "control")


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    spec: Mapped[dict] = mapped_column(JSON, default=dict)
    offer_code: Mapped[str] = mapped_column(ForeignKey("offers.code"))
    channels: Mapped[list] = mapped_column(JSON, default=list)  # by preference
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    control_share: Mapped[float] = mapped_column(Float, default=0.10)
    cost_per_contact: Mapped[dict] = mapped_column(JSON, default=dict)  # channel -> "2.50"
    # agents.id without a foreign key: crm sits below the console in the import layers.
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=business_now)
    launched_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # What the launch decided (sizes, exclusions): a repeated launch answers with it.
    summary: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class CampaignMember(Base):
    """One customer of a launched campaign; UNIQUE per campaign, so a customer is assigned once."""

    __tablename__ = "campaign_members"
    __table_args__ = (
        UniqueConstraint("campaign_id", "customer_id", name="uq_campaign_members_customer"),
        Index("ix_campaign_members_customer", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    grp: Mapped[str] = mapped_column(String(8))  # target | control
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)  # None for control
    outreach_item_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The segment and propensity at launch: results group by what the campaign saw.
    segment: Mapped[str | None] = mapped_column(String(32), nullable=True)
    propensity: Mapped[float | None] = mapped_column(Float, nullable=True)
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime, default=business_now)
