"""First-response targets per team and priority; each handoff's due time and SLA state.

Revision ID: e2a0b0c00011
Revises: e1a0b0c00010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "e2a0b0c00011"
down_revision: str | None = "e1a0b0c00010"
branch_labels = None
depends_on = None

# The defaults of conversations.sla.DEFAULT_TARGETS, as rows a bank can tune (seconds).
DEFAULT_TARGETS = [
    ("general", "high", 60),
    ("general", "normal", 180),
    ("cards", "high", 60),
    ("cards", "normal", 180),
    ("complaints", "high", 60),
    ("complaints", "normal", 180),
    ("retention", "high", 30),
    ("retention", "normal", 90),
]


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("first_response_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("sla_due_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("sla_state", sa.String(length=8), nullable=False, server_default="ok")
        )
        batch.create_check_constraint(
            "ck_handoffs_sla_state", "sla_state IN ('ok', 'warning', 'breached')"
        )
    op.create_index("ix_handoffs_sla_state_due", "handoffs", ["sla_state", "sla_due_at"])
    targets = op.create_table(
        "sla_targets",
        sa.Column("team", sa.String(length=24), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("first_response_seconds", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team", "priority"),
    )
    op.bulk_insert(
        targets,
        [{"team": t, "priority": p, "first_response_seconds": s} for t, p, s in DEFAULT_TARGETS],
    )
    op.create_table(
        "complaint_sla_alerts",
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("alerted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("complaint_id", "state"),
    )


def downgrade() -> None:
    op.drop_table("complaint_sla_alerts")
    op.drop_table("sla_targets")
    op.drop_index("ix_handoffs_sla_state_due", table_name="handoffs")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_constraint("ck_handoffs_sla_state", type_="check")
        batch.drop_column("sla_state")
        batch.drop_column("sla_due_at")
        batch.drop_column("first_response_at")
