"""messages the assistant understood poorly, for conversation designers to review

Revision ID: a6c3e5b00006
Revises: f5b2d4a00005
Create Date: 2026-11-23 19:10:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a6c3e5b00006"
down_revision: str | None = "f5b2d4a00005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nlu_review_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("message_at", sa.Float(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("predicted_intent", sa.String(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assigned_intent", sa.String(length=64), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("conversation_id", "message_at", name="uq_review_message"),
    )
    op.create_index("ix_review_status_created", "nlu_review_items", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_review_status_created", table_name="nlu_review_items")
    op.drop_table("nlu_review_items")
