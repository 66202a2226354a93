"""The audit trail: every look at a customer's data and every change an agent makes.

Written in the same transaction as the work it records, so a view that fails is not
logged as seen and a change is never made without its entry.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from agent_console.models import AuditEntry


def record(
    session: Session, agent_id: int, action: str, customer_id: int | None, detail: str = ""
) -> None:
    session.add(
        AuditEntry(agent_id=agent_id, action=action, customer_id=customer_id, detail=detail[:500])
    )
