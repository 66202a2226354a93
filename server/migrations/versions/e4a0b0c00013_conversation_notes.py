"""Internal notes and supervisor whispers on a conversation, never shown to the customer.

Revision ID: e4a0b0c00013
Revises: e3a0b0c00012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "e4a0b0c00013"
down_revision: str | None = "e3a0b0c00012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """conversation_notes (conversations.note_models)."""
    op.create_table(
        "conversation_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("to_agent_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('note', 'whisper')", name="ck_conversation_notes_kind"),
        sa.ForeignKeyConstraint(["author_id"], ["agents.id"]),
        sa.ForeignKeyConstraint(["to_agent_id"], ["agents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conversation_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversation_notes_conversation_time",
            ["conversation_id", "created_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_notes_conversation_time")
    op.drop_table("conversation_notes")
