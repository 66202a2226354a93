"""First-response SLA of handoffs and due dates of complaints.

Every handoff gets a due time when it is created: its creation plus the first-response
target of its team and priority (table `sla_targets`, code defaults where a row is
missing, SLA_TARGETS overriding both). The clock stops at the first agent reply
(`first_response_at`). A periodic check (conversations.sla_loop, on the one scheduler
replica) moves a running clock ok -> warning (SLA_WARNING_RATIO of the target gone) ->
breached (past due); each move is one conditional UPDATE, so it happens, and is announced
to the supervisors, exactly once. Complaints (crm) carry their own due date (`sla_due`): an
open one due by the next business day warns, an overdue one breaches, each alert once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import case, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conversations.models import Handoff
from conversations.sla_models import ComplaintSlaAlert, SlaTarget
from core.vocabulary import HandoffStatus
from crm.clock import business_today, utcnow
from crm.db import session_scope
from crm.models import Complaint
from crm.service.cases import add_business_days
from crm.settings import get_settings

OK, WARNING, BREACHED = "ok", "warning", "breached"
GENERAL = "general"  # a handoff without a team (before routing) is the general desk's
RUNNING = (HandoffStatus.PENDING, HandoffStatus.CLAIMED)
# Seconds until the first agent reply; the migration seeds the same rows to tune.
DEFAULT_TARGETS: dict[tuple[str, str], int] = {
    (GENERAL, "high"): 60,
    (GENERAL, "normal"): 180,
    ("cards", "high"): 60,
    ("cards", "normal"): 180,
    ("complaints", "high"): 60,
    ("complaints", "normal"): 180,
    ("retention", "high"): 30,  # a customer about to leave waits least
    ("retention", "normal"): 90,
}
COMPLAINTS_LISTED = 20  # complaints named in one alert; the count says how many in all


def overrides(text: str) -> dict[tuple[str, str], int]:
    """SLA_TARGETS ("team/priority=seconds,..."; "*" for any) as a lookup; bad parts ignored."""
    found: dict[tuple[str, str], int] = {}
    for part in text.split(","):
        key, _, seconds = part.strip().partition("=")
        team, _, priority = key.strip().partition("/")
        if team and priority and seconds.strip().isdigit() and int(seconds) > 0:
            found[(team.strip(), priority.strip())] = int(seconds)
    return found


def target_seconds(session: Session, team: str | None, priority: str | None) -> int:
    """The first-response target for a team and priority (seconds)."""
    team, priority = team or GENERAL, priority or "normal"
    forced = overrides(get_settings().sla_targets)
    for key in ((team, priority), (team, "*"), ("*", priority), ("*", "*")):
        if key in forced:
            return forced[key]
    rows = session.execute(
        select(SlaTarget.team, SlaTarget.priority, SlaTarget.first_response_seconds).where(
            SlaTarget.team.in_((team, GENERAL))
        )
    ).all()
    targets = DEFAULT_TARGETS | {(t, p): s for t, p, s in rows}
    for key in ((team, priority), (GENERAL, priority)):
        if key in targets:
            return targets[key]
    return targets[(GENERAL, "normal")]


def stamp_due(session: Session, handoff: Handoff) -> None:
    """Set a new handoff's due time (after flush: its creation time is known)."""
    created = handoff.created_at or utcnow()
    seconds = target_seconds(session, handoff.team, handoff.priority)
    handoff.sla_due_at = created + dt.timedelta(seconds=seconds)


def warn_at(created_at: dt.datetime, due_at: dt.datetime) -> dt.datetime:
    """When the warning comes: SLA_WARNING_RATIO of the time to the target has gone."""
    return created_at + (due_at - created_at) * get_settings().sla_warning_ratio


def _iso(value: dt.datetime | None) -> str | None:
    """Stored times are naive UTC; say so, so browsers count down correctly."""
    return value.isoformat(timespec="seconds") + "Z" if value else None


def view(handoff: Handoff) -> dict[str, Any]:
    """The clock as the console shows it: the browser counts down to `due_at` itself and
    turns amber at `warn_at`; `state` is what the check last decided."""
    due = handoff.sla_due_at
    return {
        "state": handoff.sla_state or OK,
        "due_at": _iso(due),
        "warn_at": _iso(warn_at(handoff.created_at, due)) if due and handoff.created_at else None,
        "first_response_at": _iso(handoff.first_response_at),
    }


def record_first_response(
    session: Session, handoff_id: int, now: dt.datetime | None = None
) -> bool:
    """The agent's first reply stops the clock; True if this was it.

    One UPDATE ... WHERE first_response_at IS NULL: two replies racing (two tabs, two
    replicas) cannot both be first, and a later reply never moves it. A reply after the
    due time is a breach even if no check ran in between, so the same UPDATE says so."""
    now = now or utcnow()
    late = (Handoff.sla_due_at.is_not(None)) & (Handoff.sla_due_at < now)
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.first_response_at.is_(None))
        .values(
            first_response_at=now,
            sla_state=case((late, BREACHED), else_=Handoff.sla_state),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


@dataclass(frozen=True)
class Alert:
    """A handoff whose clock just moved to `state`."""

    handoff_id: int
    conversation_id: str
    team: str
    priority: str
    state: str
    due_at: dt.datetime


def _move(session: Session, handoff_id: int, before: str, after: str) -> bool:
    """ok -> warning or warning -> breached, once: the UPDATE matches only while the state is
    still `before` and nobody has answered, so an overlapping check (or a first reply that
    lands meanwhile) leaves it alone and no alert goes out twice."""
    moved = session.execute(
        update(Handoff)
        .where(
            Handoff.id == handoff_id,
            Handoff.sla_state == before,
            Handoff.first_response_at.is_(None),
            Handoff.status.in_(RUNNING),
        )
        .values(sla_state=after)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1


def _stamp_missing(session: Session) -> None:
    """Handoffs created without a due time (before this feature, or by an older replica)."""
    missing = session.scalars(
        select(Handoff).where(
            Handoff.sla_due_at.is_(None),
            Handoff.status.in_(RUNNING),
            Handoff.first_response_at.is_(None),
        )
    )
    for handoff in missing:
        stamp_due(session, handoff)
    session.flush()


def check_handoffs(session: Session, now: dt.datetime | None = None) -> list[Alert]:
    """Move every running clock that crossed its warning time or its due time; commits.

    A clock found past due while still ok moves twice in this round (warning, then breach),
    so the supervisor always hears the warning first."""
    now = now or utcnow()
    _stamp_missing(session)
    clocks = session.execute(
        select(
            Handoff.id,
            Handoff.conversation_id,
            Handoff.team,
            Handoff.priority,
            Handoff.created_at,
            Handoff.sla_due_at,
            Handoff.sla_state,
        ).where(
            Handoff.status.in_(RUNNING),
            Handoff.first_response_at.is_(None),
            Handoff.sla_due_at.is_not(None),
            Handoff.sla_state != BREACHED,
        )
    ).all()
    alerts = []
    for handoff_id, conversation_id, team, priority, created, due, state in clocks:
        alert = Alert(handoff_id, conversation_id, team or GENERAL, priority, OK, due)
        if state == OK and now >= warn_at(created, due) and _move(session, handoff_id, OK, WARNING):
            alerts.append(replace(alert, state=WARNING))
            state = WARNING
        if state == WARNING and now >= due and _move(session, handoff_id, WARNING, BREACHED):
            alerts.append(replace(alert, state=BREACHED))
    session.commit()
    return alerts


@dataclass(frozen=True)
class ComplaintAlert:
    complaint_id: int
    reference: str
    customer_id: int
    category: str
    due: dt.date
    state: str


def _alerted(state: str) -> Any:
    return exists().where(
        ComplaintSlaAlert.complaint_id == Complaint.id, ComplaintSlaAlert.state == state
    )


def check_complaints(session: Session, today: dt.date | None = None) -> list[ComplaintAlert]:
    """Open complaints due by the next business day (warning) or overdue (breached), each
    alert once: its row in complaint_sla_alerts is the record, and the primary key refuses a
    second one. Commits."""
    today = today or business_today()
    soon = add_business_days(today, 1)
    rows = session.execute(
        select(
            Complaint.id,
            Complaint.reference,
            Complaint.customer_id,
            Complaint.category,
            Complaint.sla_due,
        )
        .where(
            Complaint.status == "open",
            Complaint.sla_due <= soon,
            ~_alerted(BREACHED),
            (Complaint.sla_due < today) | ~_alerted(WARNING),
        )
        .order_by(Complaint.sla_due, Complaint.id)
    ).all()
    alerts = []
    for complaint_id, reference, customer_id, category, due in rows:
        state = BREACHED if due < today else WARNING
        try:
            with session.begin_nested():
                session.add(ComplaintSlaAlert(complaint_id=complaint_id, state=state))
        except IntegrityError:
            continue  # another check sent it
        alerts.append(ComplaintAlert(complaint_id, reference, customer_id, category, due, state))
    session.commit()
    return alerts


def breach_counts(session: Session, since: dt.datetime, today: dt.date | None = None) -> dict:
    """What the dashboard shows: handoffs created since `since` that breached (or are in
    warning now), by team; the average first response; complaints open past their due date."""
    today = today or business_today()
    by_team = session.execute(
        select(Handoff.team, Handoff.sla_state, func.count())
        .where(Handoff.created_at >= since, Handoff.sla_state != OK)
        .group_by(Handoff.team, Handoff.sla_state)
    ).all()
    teams: dict[str, dict[str, int]] = {}
    for team, state, count in by_team:
        counts = teams.setdefault(team or GENERAL, {WARNING: 0, BREACHED: 0})
        counts[state] += count
    firsts = session.execute(
        select(Handoff.created_at, Handoff.first_response_at).where(
            Handoff.created_at >= since, Handoff.first_response_at.is_not(None)
        )
    ).all()
    spans = [(answered - created).total_seconds() for created, answered in firsts]
    by_agent = session.execute(
        select(Handoff.claimed_by, func.count())
        .where(
            Handoff.created_at >= since,
            Handoff.sla_state == BREACHED,
            Handoff.claimed_by.is_not(None),
        )
        .group_by(Handoff.claimed_by)
    ).all()
    overdue = session.scalar(
        select(func.count())
        .select_from(Complaint)
        .where(Complaint.status == "open", Complaint.sla_due < today)
    )
    return {
        "breached": sum(t[BREACHED] for t in teams.values()),
        "warning": sum(t[WARNING] for t in teams.values()),  # still running, past the warning
        "by_team": [{"team": team, **counts} for team, counts in sorted(teams.items())],
        # Breaches of the handoffs each agent took (the console knows the agents' names).
        "by_agent": [{"agent_id": a, "breached": n} for a, n in sorted(by_agent)],
        "average_first_response_seconds": round(sum(spans) / len(spans), 1) if spans else None,
        "complaints_overdue": overdue or 0,
    }


def note_first_response(handoff_id: int | None) -> bool:
    """`record_first_response` in its own transaction (the console's reply path)."""
    if handoff_id is None:
        return False
    with session_scope() as session:
        first = record_first_response(session, handoff_id)
        session.commit()
        return first


def clock_of(handoff_id: int | None) -> dict[str, Any] | None:
    """`view` of one handoff in its own session (the conversation header)."""
    if handoff_id is None:
        return None
    with session_scope() as session:
        handoff = session.get(Handoff, handoff_id)
        return view(handoff) if handoff is not None else None
