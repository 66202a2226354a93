"""Customer satisfaction answers (1-5 and a comment) per conversation, agent, team and intent.

Revision ID: e5a0b0c00014
Revises: e4a0b0c00013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "e5a0b0c00014"
down_revision: str | None = "e4a0b0c00013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satisfaction_ratings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(40), nullable=False),
        sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoffs.id"), nullable=True),
        sa.Column("agent_id", sa.Integer, sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("team", sa.String(24), nullable=True),
        sa.Column("intent", sa.String(64), nullable=True),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("comment", sa.String(1000), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("conversation_id", "subject", name="uq_satisfaction_subject"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_satisfaction_rating"),
    )
    op.create_index(
        "ix_satisfaction_ratings_conversation_id", "satisfaction_ratings", ["conversation_id"]
    )
    op.create_index("ix_satisfaction_created", "satisfaction_ratings", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_satisfaction_created", table_name="satisfaction_ratings")
    op.drop_index("ix_satisfaction_ratings_conversation_id", table_name="satisfaction_ratings")
    op.drop_table("satisfaction_ratings")
