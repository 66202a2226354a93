"""A complaint remembers the customer message that filed it, so a retried turn (a replica
that died after the action ran but before the conversation was stored) files it once.

Revision ID: d9f5b8e00009
Revises: c8e4a7d00008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "d9f5b8e00009"
down_revision: str | None = "c8e4a7d00008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("request_key", sa.String(160), nullable=True))
        batch.create_unique_constraint(
            "uq_complaints_customer_request", ["customer_id", "request_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.drop_constraint("uq_complaints_customer_request", type_="unique")
        batch.drop_column("request_key")
