"""Marketing consent per customer and channel, with its source and time (contact policy).

Revision ID: f1a0b0c00015
Revises: e5a0b0c00014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "f1a0b0c00015"
down_revision: str | None = "e5a0b0c00014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "marketing_consents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("source", sa.String(24), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=True),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    op.create_index(
        "ix_marketing_consents_customer_channel",
        "marketing_consents",
        ["customer_id", "channel", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_marketing_consents_customer_channel", table_name="marketing_consents")
    op.drop_table("marketing_consents")
