"""Campaigns and their members (target or control group) for precision marketing.

Revision ID: f2a0b0c00016
Revises: f1a0b0c00015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "f2a0b0c00016"
down_revision: str | None = "f1a0b0c00015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("offer_code", sa.String(32), sa.ForeignKey("offers.code"), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("control_share", sa.Float(), nullable=False, server_default="0.1"),
        sa.Column("cost_per_contact", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("launched_at", sa.DateTime(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
    )
    op.create_table(
        "campaign_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id"), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("grp", sa.String(8), nullable=False),
        sa.Column("channel", sa.String(16), nullable=True),
        sa.Column("outreach_item_id", sa.Integer(), nullable=True),
        sa.Column("segment", sa.String(32), nullable=True),
        sa.Column("propensity", sa.Float(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("campaign_id", "customer_id", name="uq_campaign_members_customer"),
    )
    op.create_index("ix_campaign_members_customer", "campaign_members", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_campaign_members_customer", table_name="campaign_members")
    op.drop_table("campaign_members")
    op.drop_table("campaigns")
