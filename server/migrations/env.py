"""Alembic environment: URL from DATABASE_URL, metadata from every platform package's models."""

from __future__ import annotations

from alembic import context

import agent_console.canned_models  # (canned responses)
import agent_console.models  # noqa: F401  (console tables)
import conversations.models  # (conversations, handoffs, review items)
import conversations.note_models  # (notes, whispers)
import conversations.satisfaction_models  # (satisfaction ratings)
import conversations.sla_models  # (SLA targets)
import conversations.team_models  # noqa: F401  (teams, transfers)
import crm.marketing.campaign_models  # (campaigns, members)
import crm.marketing.consent_models  # (marketing consent)
import crm.marketing.outreach_models  # (outbound calls, proactive messages)
import crm.models  # noqa: F401  (the customer record)
from crm.db import Base, get_engine

target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=str(get_engine().url), target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with get_engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
