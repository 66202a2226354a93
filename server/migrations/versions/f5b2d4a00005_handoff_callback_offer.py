"""handoffs remember the callback offer made when nobody claimed them in time

Revision ID: f5b2d4a00005
Revises: e4a1c3f00004
Create Date: 2026-11-23 17:30:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f5b2d4a00005"
down_revision: str | None = "e4a1c3f00004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL: not offered; offered / accepted / declined once the timeout message went out.
    op.add_column("handoffs", sa.Column("callback_offer", sa.String(length=16), nullable=True))
    op.create_index("ix_handoffs_status_created", "handoffs", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_handoffs_status_created", table_name="handoffs")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("callback_offer")
