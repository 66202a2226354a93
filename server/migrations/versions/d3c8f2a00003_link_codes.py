"""one-time codes linking messaging accounts to customers

Revision ID: d3c8f2a00003
Revises: c2b7e1f00002
Create Date: 2026-11-22 14:35:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d3c8f2a00003"
down_revision: str | None = "c2b7e1f00002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    op.create_index("ix_link_codes_customer_id", "link_codes", ["customer_id"])


def downgrade() -> None:
    op.drop_table("link_codes")
