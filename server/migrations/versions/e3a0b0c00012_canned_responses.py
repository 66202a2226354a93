"""The shared library of canned responses agents insert by shortcut.

Revision ID: e3a0b0c00012
Revises: e2a0b0c00011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "e3a0b0c00012"
down_revision: str | None = "e2a0b0c00011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "canned_responses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shortcut", sa.String(25), nullable=False),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("intents", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("shortcut", name="uq_canned_responses_shortcut"),
    )


def downgrade() -> None:
    op.drop_table("canned_responses")
