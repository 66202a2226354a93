"""What the soak checks after the run, from the tracker store and the CRM, not from what the
load generator believes: every message stored once and in order, every one answered (or
handed to a person), nobody answered as someone else, every card block and complaint once.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

REFERENCE = re.compile(r"\bCMP-\d{6}-[A-Z0-9]{6}\b")
CARD_BLOCKED = re.compile(r"Done: the card ending \d{4} is blocked")  # utter_card_blocked


def engine(database_url: str) -> sa.engine.Engine:
    return sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))


def snapshot(database_url: str) -> dict[str, dict[int, int]]:
    """Blocked cards and complaints per customer, before the load."""
    with engine(database_url).connect() as conn:
        blocked = conn.execute(sa.text(
            "SELECT customer_id, count(*) FROM cards WHERE status = 'blocked' GROUP BY 1"
        )).all()  # fmt: skip
        complaints = conn.execute(
            sa.text("SELECT customer_id, count(*) FROM complaints GROUP BY 1")
        ).all()
    return {"blocked": dict(blocked), "complaints": dict(complaints)}


def stored_conversations(database_url: str, customers: set[int]) -> dict[int, list[dict]]:
    """Each customer's tracker events in the order the store keeps them."""
    senders = [f"customer-{c}" for c in customers]
    with engine(database_url).connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT sender_id, type_name, data FROM events "
                "WHERE sender_id = ANY(:senders) ORDER BY id"
            ),
            {"senders": senders},
        ).all()
    events: dict[int, list[dict]] = defaultdict(list)
    for sender, kind, data in rows:
        events[int(sender.split("-", 1)[1])].append({"kind": kind, **json.loads(data)})
    return {customer: mark_reverted(stored) for customer, stored in events.items()}


def mark_reverted(events: list[dict]) -> list[dict]:
    """Mark the customer messages Rasa took back (a `rewind` before the next message): the
    two-stage fallback's "please rephrase", once answered, reverts the rephrased message and
    stores it again. Such a message is still in the store, once; it is no duplicate."""
    marked = []
    for index, event in enumerate(events):
        if event["kind"] == "user":
            following = events[index + 1 :]
            turn = next((e for e in following if e["kind"] in ("user", "rewind")), None)
            event = event | {"reverted": turn is not None and turn["kind"] == "rewind"}
        marked.append(event)
    return marked


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Fault:
    name: str
    started: float = 0.0
    ended: float = 0.0
    note: str = ""


@dataclass
class Report:
    sent: int = 0
    stored: int = 0
    answered: int = 0
    unanswered: list[str] = field(default_factory=list)
    duplicated: int = 0
    reordered: int = 0
    lost: int = 0
    server_errors_outside_faults: int = 0
    wrong_customer: int = 0
    card_blocks: tuple[int, int] = (0, 0)  # (blocks stored, blocks the customers were told of)
    complaints: tuple[int, int] = (0, 0)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    fault_rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# After a fault ends, connections pooled before it fail once each (Redis, PostgreSQL):
# attempts this soon after count to the fault, in its row.
HEALING_SECONDS = 15.0


def overlaps(attempt: dict, fault: Fault, slack: float = HEALING_SECONDS) -> bool:
    """The attempt was under way while the fault lasted (or just after, while it healed)."""
    return attempt["at"] <= fault.ended + slack and attempt["at"] + attempt["seconds"] >= (
        fault.started - 0.5
    )


def evaluate(records: list[dict], database_url: str, before: dict, faults: list[Fault]) -> Report:
    report = Report(sent=len(records))
    by_customer: dict[int, list[dict]] = defaultdict(list)
    for record in records:
        by_customer[record["customer"]].append(record)
    stored = stored_conversations(database_url, set(by_customer))
    after = snapshot(database_url)
    told_blocked = told_complaints = 0
    for customer, sent in by_customer.items():
        sent.sort(key=lambda r: r["turn"])
        events = stored.get(customer, [])
        # Each message by the channel's id for it (app:<customer>:<message_id>).
        users = [e.get("message_id") for e in events if e["kind"] == "user"]
        kept = [e.get("message_id") for e in events if e["kind"] == "user" and not e["reverted"]]
        expected = [f"app:{customer}:{r['message_id']}" for r in sent]
        missing = [key for key in expected if key not in users]
        extra = sum(max(0, kept.count(key) - 1) for key in set(kept))
        users = list(dict.fromkeys(users))  # the order they were first stored in
        report.stored += len(expected) - len(missing)
        report.duplicated += extra
        report.lost += len(missing)
        if users != expected:
            if sorted(users) == sorted(expected):
                report.reordered += 1
            texts = [e["text"] for e in events if e["kind"] == "user"]
            report.problems.append(
                f"customer {customer}: sent {[r['text'] for r in sent]}, stored {texts}"
            )
        # Answered: a bot line after each customer message, unless a person had the chat.
        paused = False
        for index, event in enumerate(events):
            if event["kind"] == "pause":
                paused = True
            elif event["kind"] == "resume":
                paused = False
            elif event["kind"] == "user" and not event["reverted"]:
                rest = events[index + 1 :]
                following = next((i for i, e in enumerate(rest) if e["kind"] == "user"), len(rest))
                answered = any(e["kind"] == "bot" for e in rest[:following])
                paused_now = paused or any(e["kind"] == "pause" for e in rest[:following])
                if not answered and not paused_now:
                    report.unanswered.append(f"customer {customer}: {event['text']!r}")
        for record in sent:
            if record["answered"]:
                report.answered += 1
                if record["conversation_id"] != f"customer-{customer}":
                    report.wrong_customer += 1
                if not record.get("replayed") and record["seconds"] is not None:
                    report.latencies.append(record["seconds"])
            else:
                report.problems.append(f"customer {customer} never got an answer to "
                                       f"{record['text']!r}: {record['attempts']}")  # fmt: skip
            for attempt in record["attempts"]:
                failed = attempt["status"] == 0 or attempt["status"] >= 500
                if failed and not any(overlaps(attempt, fault) for fault in faults):
                    report.server_errors_outside_faults += 1
            replies = " ".join(t or "" for t in record["replies"])
            told_blocked += len(CARD_BLOCKED.findall(replies))
            told_complaints += len(set(REFERENCE.findall(replies)))
    gained = lambda table: sum(  # noqa: E731
        after[table].get(c, 0) - before[table].get(c, 0) for c in by_customer
    )
    report.card_blocks = (gained("blocked"), told_blocked)
    report.complaints = (gained("complaints"), told_complaints)
    starts = [a["at"] for r in records for a in r["attempts"]]
    ends = [a["at"] + a["seconds"] for r in records for a in r["attempts"]]
    report.seconds = (max(ends) - min(starts)) if starts else 0.0
    for fault in faults:
        during = [r for r in records if any(overlaps(a, fault) for a in r["attempts"])]
        retried = [r for r in during if len(r["attempts"]) > 1]
        waits = [r["attempts"][-1]["at"] + r["attempts"][-1]["seconds"] - r["attempts"][0]["at"]
                 for r in during if r["answered"]]  # fmt: skip
        report.fault_rows.append({
            "fault": fault.name,
            "seconds": round(fault.ended - fault.started, 1),
            "messages": len(during),
            "retried": len(retried),
            "failed attempts": sum(1 for r in during for a in r["attempts"]
                                   if a["status"] == 0 or a["status"] >= 500),
            "answered": sum(1 for r in during if r["answered"]),
            "longest wait s": round(max(waits), 1) if waits else 0.0,
            "note": fault.note,
        })  # fmt: skip
    return report


def invariants_hold(report: Report) -> bool:
    return (
        report.stored == report.sent
        and report.answered == report.sent
        and not report.unanswered
        and report.duplicated == 0
        and report.reordered == 0
        and report.lost == 0
        and report.wrong_customer == 0
        and report.server_errors_outside_faults == 0
        and report.card_blocks[0] == report.card_blocks[1]
        and report.complaints[0] == report.complaints[1]
    )


def table(report: Report) -> str:
    answered = report.answered
    rate = answered / report.seconds if report.seconds else 0.0
    lines = [
        "| sent | stored | answered | duplicated | reordered | lost | 5xx outside faults "
        "| wrong customer | card blocks (stored/told) | complaints (stored/told) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {report.sent} | {report.stored} | {answered} | {report.duplicated} "
        f"| {report.reordered} | {report.lost} | {report.server_errors_outside_faults} "
        f"| {report.wrong_customer} | {report.card_blocks[0]}/{report.card_blocks[1]} "
        f"| {report.complaints[0]}/{report.complaints[1]} |",
        "",
        "| reply p50 | p95 | p99 | mean | messages/s | run |",
        "|---|---|---|---|---|---|",
        f"| {percentile(report.latencies, 0.5):.2f} s | {percentile(report.latencies, 0.95):.2f} s "
        f"| {percentile(report.latencies, 0.99):.2f} s "
        f"| {statistics.fmean(report.latencies) if report.latencies else float('nan'):.2f} s "
        f"| {rate:.1f} | {report.seconds:.0f} s |",
    ]
    if report.fault_rows:
        keys = list(report.fault_rows[0])
        lines += ["", "| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
        lines += ["| " + " | ".join(str(row[k]) for k in keys) + " |" for row in report.fault_rows]
    return "\n".join(lines)
