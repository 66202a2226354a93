"""Teams, skills and capacity; the team a handoff is routed to; transfers between teams and agents.

Revision ID: e1a0b0c00010
Revises: d9f5b8e00009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "e1a0b0c00010"
down_revision: str | None = "d9f5b8e00009"
branch_labels = None
depends_on = None

TEAMS = (
    ("cards", "Cards"),
    ("retention", "Retention"),
    ("complaints", "Complaints"),
    ("general", "General"),
)


def upgrade() -> None:
    teams = op.create_table(
        "teams",
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.bulk_insert(teams, [{"code": code, "name": name} for code, name in TEAMS])
    op.create_table(
        "team_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("team_code", sa.String(length=24), nullable=False),
        sa.Column("skills", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"]),
        sa.ForeignKeyConstraint(["team_code"], ["teams.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agent_id", "team_code", name="uq_team_member"),
    )
    op.create_index("ix_team_members_agent_id", "team_members", ["agent_id"])
    op.create_index("ix_team_members_team_code", "team_members", ["team_code"])
    op.create_table(
        "handoff_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("from_agent_id", sa.Integer(), nullable=True),
        sa.Column("to_team", sa.String(length=24), nullable=True),
        sa.Column("to_agent_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("by_agent_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"]),
        sa.ForeignKeyConstraint(["from_agent_id"], ["agents.id"]),
        sa.ForeignKeyConstraint(["to_agent_id"], ["agents.id"]),
        sa.ForeignKeyConstraint(["by_agent_id"], ["agents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoff_transfers_handoff", "handoff_transfers", ["handoff_id", "at"])
    # Plain ADD COLUMN works on SQLite too (nullable, or with a server default).
    op.add_column("handoffs", sa.Column("team", sa.String(length=24), nullable=True))
    op.add_column("agents", sa.Column("capacity", sa.Integer(), nullable=False, server_default="3"))
    # Handoffs already queued get the team their reason routes to (routing.team_for).
    op.execute(
        "UPDATE handoffs SET team = CASE reason"
        " WHEN 'retention' THEN 'retention' WHEN 'complaint' THEN 'complaints'"
        " ELSE 'general' END"
    )


def downgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("capacity")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("team")
    op.drop_index("ix_handoff_transfers_handoff", table_name="handoff_transfers")
    op.drop_table("handoff_transfers")
    op.drop_index("ix_team_members_team_code", table_name="team_members")
    op.drop_index("ix_team_members_agent_id", table_name="team_members")
    op.drop_table("team_members")
    op.drop_table("teams")
