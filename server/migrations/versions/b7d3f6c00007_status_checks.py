"""The database enforces the conversation vocabulary: statuses, reasons and dispositions
may only take the values of core.vocabulary (CHECK constraints).

Revision ID: b7d3f6c00007
Revises: a6c3e5b00006
"""

from __future__ import annotations

from alembic import op

revision: str = "b7d3f6c00007"
down_revision: str | None = "a6c3e5b00006"
branch_labels = None
depends_on = None

# Spelled out here (a migration records the vocabulary of its day, not today's import).
CONVERSATION_STATUSES = ("bot", "pending", "open", "resolved")
HANDOFF_STATUSES = ("pending", "claimed", "closed")
HANDOFF_REASONS = ("customer_request", "fallback", "retention", "complaint", "callback")
DISPOSITIONS = (
    "resolved", "offer_accepted", "offer_declined", "callback_requested", "account_closed",
    "handed_back",
)  # fmt: skip


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.create_check_constraint(
            "ck_conversations_status", _in("status", CONVERSATION_STATUSES)
        )
    with op.batch_alter_table("handoffs") as batch:
        batch.create_check_constraint("ck_handoffs_status", _in("status", HANDOFF_STATUSES))
        batch.create_check_constraint("ck_handoffs_reason", _in("reason", HANDOFF_REASONS))
        batch.create_check_constraint(
            "ck_handoffs_disposition",
            f"disposition IS NULL OR {_in('disposition', DISPOSITIONS)}",
        )


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        for name in ("ck_handoffs_disposition", "ck_handoffs_reason", "ck_handoffs_status"):
            batch.drop_constraint(name, type_="check")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_constraint("ck_conversations_status", type_="check")
