"""Retention and erasure: a customer's conversations, identities and marketing data go on
request, everything old goes on schedule, and the bank's own account records stay."""

from __future__ import annotations

import datetime as dt
import json
import time

import sqlalchemy as sa

from agent_console.models import AuditEntry
from conversations.models import Conversation, Handoff, ReviewItem
from crm.clock import utcnow
from crm.models import Account, ChannelIdentity, LinkCode, OfferPresentation, Opportunity
from server.privacy import apply_retention
from tests.platform.conftest import EVENTS, REPLAYS, SERVICE_AUTH


def said(engine, sender: str, text: str, at: float) -> None:
    with engine.begin() as conn:
        conn.execute(EVENTS.insert().values(
            sender_id=sender, type_name="user", timestamp=at,
            data=json.dumps({"event": "user", "text": text})))  # fmt: skip


def senders(engine) -> list[str]:
    with engine.begin() as conn:
        return sorted({r.sender_id for r in conn.execute(sa.select(EVENTS.c.sender_id))})


def test_an_erasure_request_removes_conversations_identities_and_marketing_data(
    client, db, crm_world, tracker
) -> None:
    leaving, staying = crm_world.customer(), crm_world.customer()
    crm_world.account(leaving)
    crm_world.db.commit()
    me, other = f"customer-{leaving.id}", f"customer-{staying.id}"
    said(tracker, me, "my phone is 13800138000", time.time())
    said(tracker, "telegram-5550001", "hello from telegram", time.time())
    said(tracker, other, "hello", time.time())
    with tracker.begin() as conn:
        conn.execute(REPLAYS.insert().values(key=f"app:{leaving.id}:m1", reply="{}", created_at=1))
    db.add_all([
        ChannelIdentity(customer_id=leaving.id, channel="telegram", external_id="5550001"),
        LinkCode(code_hash="x" * 64, customer_id=leaving.id, channel="telegram",
                 expires_at=utcnow()),
        Conversation(id=me, customer_id=leaving.id, status="resolved"),
        Conversation(id=other, customer_id=staying.id, status="bot"),
    ])  # fmt: skip
    db.flush()
    db.add_all([
        Handoff(conversation_id=me, customer_id=leaving.id, channel="app", reason="complaint",
                status="closed", summary="call me on [PHONE ****8000]"),
        ReviewItem(conversation_id=me, message_at=1.0, text="x", confidence=0.1,
                   reason="fallback"),
        OfferPresentation(customer_id=leaving.id, offer_code="SAV_BONUS", context="chat",
                          channel="app", presented_by="assistant"),
        Opportunity(customer_id=leaving.id, kind="large_deposit", reason="x", figures={}),
        AuditEntry(agent_id=None, action="view_customer_360", customer_id=leaving.id,
                   detail=me),
    ])  # fmt: skip
    db.commit()

    response = client.post(f"/api/v1/customers/{leaving.id}/erasure", headers=SERVICE_AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["conversation_events"] == 2
    db.expire_all()
    assert senders(tracker) == [other]  # the app and the linked Telegram chat are gone
    with tracker.begin() as conn:
        assert conn.execute(sa.select(REPLAYS)).all() == []
    for model in (ChannelIdentity, LinkCode, OfferPresentation, Opportunity, Handoff, ReviewItem):
        assert db.query(model).filter_by(**_of(model, leaving.id, me)).count() == 0, model
    assert db.get(Conversation, me) is None and db.get(Conversation, other) is not None
    assert db.query(Account).filter_by(customer_id=leaving.id).count() == 1  # the bank keeps
    (looked,) = db.query(AuditEntry).filter_by(action="view_customer_360").all()
    assert looked.customer_id is None and me not in looked.detail
    assert client.post(f"/api/v1/customers/{leaving.id}/erasure").status_code == 401


def _of(model, customer_id: int, conversation: str) -> dict:
    return {"conversation_id": conversation} if model in (Handoff, ReviewItem) else {
        "customer_id": customer_id}  # fmt: skip


def test_retention_deletes_what_is_older_than_the_period_and_keeps_the_rest(db, tracker) -> None:
    now = utcnow()
    old, recent = now - dt.timedelta(days=400), now - dt.timedelta(days=10)
    said(tracker, "customer-901", "long ago", old.replace(tzinfo=dt.UTC).timestamp())
    said(tracker, "customer-902", "last week", recent.replace(tzinfo=dt.UTC).timestamp())
    db.add_all([Conversation(id="customer-901", status="resolved", updated_at=old),
                Conversation(id="customer-902", status="resolved", updated_at=recent)])  # fmt: skip
    db.flush()
    db.add_all([
        Handoff(conversation_id="customer-902", channel="app", reason="fallback",
                status="closed", created_at=recent),
        AuditEntry(agent_id=None, action="view", customer_id=None, at=old),
        AuditEntry(agent_id=None, action="view", customer_id=None, at=recent),
    ])  # fmt: skip
    db.commit()
    done = apply_retention(db, days=365, now=now)
    db.commit()
    assert done.conversation_events == 1 and done.audit_entries == 1
    assert senders(tracker) == ["customer-902"]
    assert db.get(Conversation, "customer-901") is None
    assert db.get(Conversation, "customer-902") is not None
    assert db.query(AuditEntry).count() == 1


def test_erasure_and_retention_take_transfer_notes_and_rating_comments_with_the_handoffs(
    client, db, crm_world, tracker
) -> None:
    """A handoff that was transferred and rated is referred to from two tables; erasing the
    customer, or retention deleting it, must not be refused by those references (PostgreSQL
    enforces them) and must not leave the customer's comment or the agents' note behind."""
    from agent_console.models import Agent
    from conversations.satisfaction_models import SatisfactionRating
    from conversations.team_models import HandoffTransfer

    leaving = crm_world.customer()
    crm_world.db.commit()
    now = utcnow()
    old = now - dt.timedelta(days=400)
    agent = Agent(username="privacy-agent", display_name="P Agent", password_hash="x")
    me, gone = f"customer-{leaving.id}", "customer-903"
    db.add_all([agent, Conversation(id=me, customer_id=leaving.id, status="resolved"),
                Conversation(id=gone, status="resolved", updated_at=old)])  # fmt: skip
    db.flush()
    handoffs = [
        Handoff(conversation_id=conversation, channel="app", reason="complaint",
                status="closed", created_at=at, claimed_by=agent.id)
        for conversation, at in ((me, now), (gone, old))
    ]  # fmt: skip
    db.add_all(handoffs)
    db.flush()
    for h in handoffs:
        db.add_all([
            HandoffTransfer(handoff_id=h.id, to_team="retention", note="wants to close",
                            by_agent_id=agent.id, at=h.created_at),
            SatisfactionRating(conversation_id=h.conversation_id, subject=f"handoff-{h.id}",
                               handoff_id=h.id, agent_id=agent.id, rating=2,
                               comment="my number is 13800138000", channel="app",
                               created_at=h.created_at),
        ])  # fmt: skip
    db.commit()

    response = client.post(f"/api/v1/customers/{leaving.id}/erasure", headers=SERVICE_AUTH)
    assert response.status_code == 200, response.text
    done = apply_retention(db, days=365, now=now)
    db.commit()
    db.expire_all()
    assert done.handoffs == 1
    assert db.query(Handoff).count() == 0 and db.query(HandoffTransfer).count() == 0
    # The erased customer's rating is gone; the old one still counts, without its words.
    (kept,) = db.query(SatisfactionRating).all()
    assert (kept.conversation_id, kept.rating, kept.comment, kept.handoff_id) == (
        gone,
        2,
        None,
        None,
    )
