"""Outreach items: outbound calls and proactive messages from campaigns and events.

Revision ID: f3a0b0c00017
Revises: f2a0b0c00016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "f3a0b0c00017"
down_revision: str | None = "f2a0b0c00016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outreach_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("campaign_id", sa.Integer, nullable=True),
        sa.Column("opportunity_id", sa.Integer, sa.ForeignKey("opportunities.id"), nullable=True),
        sa.Column("offer_code", sa.String(32), sa.ForeignKey("offers.code"), nullable=True),
        sa.Column("reason", sa.JSON, nullable=False),
        sa.Column("expected_value", sa.Float, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("not_before", sa.DateTime, nullable=True),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.Integer, nullable=True),
        sa.Column("claimed_at", sa.DateTime, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("outcome_at", sa.DateTime, nullable=True),
        sa.Column("callback_at", sa.DateTime, nullable=True),
        sa.Column(
            "presentation_id",
            sa.Integer,
            sa.ForeignKey("offer_presentations.id"),
            nullable=True,
        ),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("dedupe_key", sa.String(120), nullable=False),
        sa.UniqueConstraint("dedupe_key", name="uq_outreach_items_dedupe_key"),
    )
    op.create_index(
        "ix_outreach_items_queue", "outreach_items", ["channel", "status", "not_before"]
    )
    op.create_index("ix_outreach_items_customer", "outreach_items", ["customer_id", "status"])
    op.create_index("ix_outreach_items_campaign", "outreach_items", ["campaign_id"])
    op.create_index("ix_outreach_items_opportunity", "outreach_items", ["opportunity_id"])
    op.create_index("ix_outreach_items_expires", "outreach_items", ["status", "expires_at"])
    # Events without a transaction (card expiring, salary stopped) dedupe on their own key.
    with op.batch_alter_table("opportunities") as batch:
        batch.add_column(sa.Column("source_key", sa.String(80), nullable=True))
        batch.create_unique_constraint("uq_opportunity_source_key", ["kind", "source_key"])


def downgrade() -> None:
    with op.batch_alter_table("opportunities") as batch:
        batch.drop_constraint("uq_opportunity_source_key", type_="unique")
        batch.drop_column("source_key")
    op.drop_index("ix_outreach_items_expires", table_name="outreach_items")
    op.drop_index("ix_outreach_items_opportunity", table_name="outreach_items")
    op.drop_index("ix_outreach_items_campaign", table_name="outreach_items")
    op.drop_index("ix_outreach_items_customer", table_name="outreach_items")
    op.drop_index("ix_outreach_items_queue", table_name="outreach_items")
    op.drop_table("outreach_items")
