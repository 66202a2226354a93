"""Products and offers carry their names in the customers' other languages ({"zh": ...}),
so the assistant and the console word them in the customer's language.

Revision ID: c8e4a7d00008
Revises: b7d3f6c00007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "c8e4a7d00008"
down_revision: str | None = "b7d3f6c00007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("products", "offers"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("names", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    for table in ("products", "offers"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("names")
