"""The agents' outbound call list: the calls worth most and about to expire first, one agent
per customer however the clicks race, every outcome in the closed loop and the history, a
call-back back on the list at its time (for the agent who agreed it), and "do not contact"
honoured everywhere at once."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest

from agent_console import outbound
from agent_console.guards import Who
from agent_console.models import Agent, AuditEntry
from crm.clock import business_now
from crm.marketing import consent, outreach
from crm.marketing.outreach_models import OutreachItem
from crm.models import Interaction, OfferPresentation
from tests.platform.rasa_stand_in import RasaStandIn, domain_responses
from tests.support.pinned import local_instant

LIST = "/console/api/outbound"
OFFER = "SAV_BONUS"


@pytest.fixture(autouse=True)
def any_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    """The API runs on the wall clock's time of day: no quiet hours, whenever tests run
    (quiet hours have their own test below, on a pinned clock)."""
    from core import config

    monkeypatch.setenv("MARKETING_QUIET_HOURS", "00:00-00:00")
    config.reset()


def callee(world, consents: bool = True, **fields: Any):
    """A salaried customer with savings, who consented to marketing calls at onboarding."""
    c = world.customer(**fields)
    world.steady_history(world.account(c), "30000", salary="12000")
    world.analyse(c)
    if consents:
        consent.record(world.db, c.id, "all", True, "onboarding")
    world.db.commit()
    return c


def plan(db, customer, key: str, ev: float = 100.0, expires_in=dt.timedelta(days=5),
         offer: str | None = OFFER, **fields: Any) -> int:  # fmt: skip
    """One planned call, as the event scan or a campaign launch writes it."""
    now = business_now()
    row = {
        "customer_id": customer.id,
        "channel": "call",
        "source": "event",
        "offer_code": offer,
        "reason": {
            "code": "large_deposit",
            "text": "A deposit of 50000.00 CNY, above the 6-month average balance.",
            "figures": {"amount": "50000.00", "currency": "CNY"},
        },
        "expected_value": ev,
        "expires_at": now + expires_in,
        "dedupe_key": key,
    } | fields
    assert outreach.enqueue(db, [row]) == 1
    db.commit()
    return db.query(OutreachItem).filter_by(dedupe_key=key).one().id


def listed(user) -> dict:
    response = user.get(LIST)
    assert response.status_code == 200, response.text
    return response.json()


def ids(entries: list[dict]) -> list[int]:
    return [e["id"] for e in entries]


def who(db, username: str) -> Who:
    agent = db.query(Agent).filter_by(username=username).one()
    return Who(agent.id, agent.username, agent.display_name, agent.role, "")


def item(db, item_id: int) -> OutreachItem:
    db.expire_all()
    return db.get(OutreachItem, item_id)


def claim(user, item_id: int):
    return user.post(f"{LIST}/{item_id}/claim")


def outcome(user, item_id: int, what: str, **body: Any):
    return user.post(f"{LIST}/{item_id}/outcome", {"outcome": what, **body})


def test_urgent_calls_come_first_then_the_most_valuable(client, users, crm_world, db) -> None:
    world = crm_world
    a, b, c, d, e = (callee(world) for _ in range(5))
    f = callee(world, consents=False)
    low = plan(db, a, "t:low", ev=50)
    high = plan(db, b, "t:high", ev=200)
    urgent = plan(db, c, "t:urgent", ev=10, expires_in=dt.timedelta(hours=6))
    plan(db, d, "t:later", ev=900, not_before=business_now() + dt.timedelta(hours=3))
    plan(db, e, "t:expired", ev=900, expires_in=dt.timedelta(minutes=-1))
    plan(db, f, "t:no-consent", ev=900)
    data = listed(users["agent"])
    assert ids(data["items"]) == [urgent, high, low]
    assert data["items"][0]["urgent"] and not data["items"][1]["urgent"]
    assert data["held_back"] == {"no_consent": 1}
    first = data["items"][1]
    assert first["reason"]["code"] == "large_deposit"
    assert first["offer_name"] == "Bonus-rate online savings"
    assert first["expected_value"] == "200.00" and first["customer_no"] == b.customer_no
    assert b.phone not in json.dumps(data)


def claim_at_once(users, targets: dict[str, int]) -> dict:
    """Each agent clicks Claim on their line at the same moment (threads behind a barrier)."""
    start, results = threading.Barrier(len(targets)), {}

    def take(name: str, item_id: int) -> None:
        start.wait()
        results[name] = claim(users[name], item_id)

    threads = [threading.Thread(target=take, args=pair) for pair in targets.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_agents_claiming_at_once_never_call_the_same_customer(
    client, users, crm_world, db
) -> None:
    for round_ in range(4):
        c = callee(crm_world)
        first = plan(db, c, f"r:{round_}:a")
        second = plan(db, c, f"r:{round_}:b", ev=10)  # the same customer, another reason
        # Rounds 0 and 2: both click the same line; 1 and 3: two lines of one customer.
        targets = {"agent": first, "agent2": first if round_ % 2 == 0 else second}
        results = claim_at_once(users, targets)
        codes = sorted(r.status_code for r in results.values())
        assert codes == [200, 409], {n: r.text for n, r in results.items()}
        winner = next(n for n, r in results.items() if r.status_code == 200)
        loser = next(n for n, r in results.items() if r.status_code == 409)
        # The winner sees the number to dial; the loser no longer sees the customer at all.
        assert results[winner].json()["profile"]["phone"] == c.phone
        assert c.customer_no not in json.dumps(listed(users[loser]))
        assert ids(listed(users[winner])["mine"]) == [targets[winner]]
        assert outcome(users[winner], targets[winner], "reached").status_code == 200


def test_a_claim_left_too_long_lapses(client, users, crm_world, db) -> None:
    c = callee(crm_world)
    item_id = plan(db, c, "lease")
    now = business_now()
    alex, bea = who(db, "agent"), who(db, "agent2")
    outbound.claim(db, alex, item_id, now)
    db.commit()
    soon = now + outbound.LEASE - dt.timedelta(minutes=1)
    assert ids(outbound.worklist(db, bea, soon)["items"]) == []
    with pytest.raises(outbound.OutboundError) as refused:
        outbound.claim(db, bea, item_id, soon)
    assert refused.value.status == 409
    db.rollback()
    later = now + outbound.LEASE + dt.timedelta(minutes=1)
    assert ids(outbound.worklist(db, bea, later)["items"]) == [item_id]
    outbound.claim(db, bea, item_id, later)
    db.commit()
    assert item(db, item_id).claimed_by == bea.id


def presentation_of(db, item_id: int) -> OfferPresentation:
    return db.get(OfferPresentation, item(db, item_id).presentation_id)


@pytest.mark.parametrize(
    ("what", "offer_outcome"),
    [("accepted", "accepted"), ("declined", "declined"), ("reached", None)],
)
def test_an_answered_call_lands_in_the_closed_loop(
    client, users, crm_world, db, what, offer_outcome
) -> None:
    c = callee(crm_world)
    item_id = plan(db, c, f"answered:{what}")
    assert claim(users["agent"], item_id).status_code == 200
    response = outcome(users["agent"], item_id, what, note="Call me on 13912345678 next time")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "done"
    done = item(db, item_id)
    assert (done.status, done.outcome) == ("done", what)
    p = presentation_of(db, item_id)
    assert (p.context, p.channel, p.presented_by, p.offer_code) == (
        "outbound", "phone", "agent", OFFER,
    )  # fmt: skip
    assert p.outcome == offer_outcome and p.conversation_id == f"outbound-{item_id}"
    (contact,) = db.query(Interaction).filter_by(conversation_id=f"outbound-{item_id}").all()
    assert contact.channel == "phone" and "Alex" in contact.summary
    assert "13912345678" not in contact.summary  # the note is masked
    assert item_id not in ids(listed(users["agent"])["items"] + listed(users["agent2"])["items"])
    again = outcome(users["agent"], item_id, "accepted")
    assert again.status_code == 409  # recorded once, however often the button is clicked


def test_no_answer_retries_later_and_gives_up_after_the_last_attempt(
    client, users, crm_world, db
) -> None:
    c = callee(crm_world)
    item_id = plan(db, c, "no-answer")
    alex = who(db, "agent")
    now = business_now()
    for attempt in range(1, outbound.MAX_ATTEMPTS + 1):
        outbound.claim(db, alex, item_id, now)
        result = outbound.record(db, alex, item_id, "no_answer", now)
        db.commit()
        assert result["attempts"] == attempt
        if attempt < outbound.MAX_ATTEMPTS:
            assert result["status"] == "pending"
            assert item_id not in ids(outbound.worklist(db, alex, now)["items"])
            now += outbound.RETRY_AFTER
            assert item_id in ids(outbound.worklist(db, alex, now)["items"])
    assert (item(db, item_id).status, item(db, item_id).outcome) == ("done", "no_answer")
    # One presentation for the whole item: unanswered calls are one contact, "ignored".
    assert db.query(OfferPresentation).filter_by(customer_id=c.id).count() == 1
    assert presentation_of(db, item_id).outcome == "ignored"
    kinds = [i.kind for i in db.query(Interaction).filter_by(customer_id=c.id, channel="phone")]
    assert kinds == ["outbound_no_answer"] * outbound.MAX_ATTEMPTS


def test_a_call_back_returns_at_its_time_for_the_agent_who_agreed_it(
    client, users, crm_world, db
) -> None:
    c = callee(crm_world)
    item_id = plan(db, c, "callback")
    alex, bea = who(db, "agent"), who(db, "agent2")
    now = business_now().replace(hour=10, minute=0, second=0, microsecond=0)
    at = now + dt.timedelta(hours=4)
    outbound.claim(db, alex, item_id, now)
    result = outbound.record(db, alex, item_id, "callback", now, callback_at=at)
    db.commit()
    assert result["status"] == "pending" and result["callback_at"] == at.isoformat()
    before = at - dt.timedelta(minutes=1)
    assert item_id not in ids(outbound.worklist(db, alex, before)["items"])
    assert ids(outbound.worklist(db, alex, before)["scheduled"]) == [item_id]
    assert item_id in ids(outbound.worklist(db, alex, at)["items"])
    assert item_id not in ids(outbound.worklist(db, bea, at)["items"])  # Alex's call-back
    with pytest.raises(outbound.OutboundError):
        outbound.claim(db, bea, item_id, at)
    db.rollback()
    late = at + outbound.CALLBACK_KEPT_FOR
    assert item_id in ids(outbound.worklist(db, bea, late)["items"])  # anyone, now
    outbound.claim(db, alex, item_id, at + dt.timedelta(minutes=5))
    outbound.record(db, alex, item_id, "accepted", at + dt.timedelta(minutes=10))
    db.commit()
    assert db.query(OfferPresentation).filter_by(customer_id=c.id).count() == 1
    assert presentation_of(db, item_id).outcome == "accepted"


def test_a_call_back_needs_a_time_before_the_call_expires(client, users, crm_world, db) -> None:
    c = callee(crm_world)
    item_id = plan(db, c, "callback-bad", expires_in=dt.timedelta(days=1))
    assert claim(users["agent"], item_id).status_code == 200
    assert outcome(users["agent"], item_id, "callback").status_code == 422
    past = (business_now() - dt.timedelta(hours=1)).isoformat()
    assert outcome(users["agent"], item_id, "callback", callback_at=past).status_code == 422
    beyond = (business_now() + dt.timedelta(days=2)).isoformat()
    assert outcome(users["agent"], item_id, "callback", callback_at=beyond).status_code == 422
    soon = (business_now() + dt.timedelta(hours=2)).isoformat()
    response = outcome(users["agent"], item_id, "callback", callback_at=soon)
    assert response.status_code == 200, response.text
    assert ids(listed(users["agent"])["scheduled"]) == [item_id]


def test_do_not_contact_opts_out_everywhere_and_stops_every_planned_contact(
    client, users, crm_world, db
) -> None:
    c = callee(crm_world)
    call = plan(db, c, "dnc:call")
    other_call = plan(db, c, "dnc:call2", ev=5)
    message = plan(db, c, "dnc:app", channel="app")
    someone_else = callee(crm_world)
    theirs = plan(db, someone_else, "dnc:other")
    assert claim(users["agent"], call).status_code == 200
    response = outcome(users["agent"], call, "do_not_contact")
    assert response.status_code == 200, response.text
    assert response.json()["other_items_stopped"] == 2
    assert consent.current(db, c.id) == {"app": False, "telegram": False, "call": False}
    latest = consent.history(db, c.id, limit=3)
    assert {r["source"] for r in latest} == {"call_outcome"}
    assert {r["recorded_by"] for r in latest} == {"agent:agent"}
    assert [item(db, i).status for i in (call, other_call, message)] == [
        "done", "suppressed", "suppressed",
    ]  # fmt: skip
    assert item(db, call).outcome == "do_not_contact"
    assert presentation_of(db, call).outcome == "declined"
    for name in ("agent", "agent2", "supervisor"):
        assert ids(listed(users[name])["items"]) == [theirs]
    assert claim(users["agent2"], other_call).status_code == 409


def test_quiet_hours_hold_calls_back(client, users, crm_world, db, monkeypatch) -> None:
    from core import config

    monkeypatch.setenv("MARKETING_QUIET_HOURS", "21:00-09:00")
    config.reset()
    c = callee(crm_world)
    item_id = plan(db, c, "quiet")
    alex = who(db, "agent")
    night = local_instant(business_now().date(), 22)  # the customer's evening, 14:00 UTC
    day = local_instant(business_now().date(), 11)
    assert outbound.worklist(db, alex, night)["held_back"] == {"quiet_hours": 1}
    with pytest.raises(outbound.OutboundError) as refused:
        outbound.claim(db, alex, item_id, night)
    assert "quiet_hours" in refused.value.detail
    db.rollback()
    assert ids(outbound.worklist(db, alex, day)["items"]) == [item_id]


# Answered at 18h twice, at 12h once but unanswered once too, at 3h (no calling hour) once.
CALL_HISTORY = (
    (18, "phone_call"),
    (18, "phone_call"),
    (10, "outbound_no_answer"),
    (12, "phone_call"),
    (12, "outbound_no_answer"),
    (3, "phone_call"),
)


def test_an_opened_call_shows_why_the_offer_the_best_time_and_the_history(
    client, users, crm_world, db
) -> None:
    c = callee(crm_world, language="zh")
    item_id = plan(db, c, "detail")
    day = business_now().date() - dt.timedelta(days=20)
    for hour, kind in CALL_HISTORY:
        at = local_instant(day, hour, 15)  # stored in UTC, counted on the customer's clock
        db.add(Interaction(customer_id=c.id, channel="phone", kind=kind, occurred_at=at))
    db.commit()
    response = users["agent"].get(f"{LIST}/{item_id}")
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["why_customer"]["code"] == "large_deposit"
    assert data["why_now"]["text"]
    assert data["offer"]["code"] == OFFER and data["offer"]["reasons"]
    assert data["best_time"]["window"] == "18:00-19:00"  # their local time, not 10:00 UTC
    assert "2 of 4 answered phone contacts" in data["best_time"]["basis"]
    assert data["consent"]["call"] is True
    assert any(e["kind"] == "contact" for e in data["timeline"])
    assert data["profile"]["phone"] == f"[PHONE ****{c.phone[-4:]}]"  # not claimed: masked
    assert c.phone not in response.text
    (seen,) = db.query(AuditEntry).filter_by(action="view_outbound_call", customer_id=c.id).all()
    assert seen.detail == f"outreach {item_id}"


def test_the_script_is_the_assistants_words_in_the_customers_language(crm_world, db) -> None:
    responses = domain_responses()
    c = callee(crm_world, language="zh")
    item_id = plan(db, c, "script")
    data = outbound.detail(db, who_seeded(db), item_id, business_now())
    steps = outbound.script(responses, data, "Alex", data["profile"]["language"])
    by_step = {}
    for s in steps:
        by_step.setdefault(s["step"], []).append(s["text"])
    opening = responses["utter_outbound_script_opening"][1]["text"]
    assert by_step["opening"] == [
        opening.replace("{customer_name}", c.full_name).replace("{agent_name}", "Alex")
    ]
    intro = responses["utter_offer_intro"][1]["text"].replace("{offer_name}", "加息网上储蓄")
    deposit = responses["utter_offer_reason_large_deposit"][1]["text"]
    assert by_step["offer"][0] == intro
    assert by_step["offer"][1].startswith(deposit.split("{amount}")[0])  # the item's reason
    assert "CNY" in by_step["offer"][1]
    assert set(by_step) == {"opening", "offer", "callback", "opt_out", "closing"}
    en = outbound.script(responses, data, "Alex", "en")
    assert en[0]["text"].startswith(f"Good day, {c.full_name}.")


def who_seeded(db) -> Who:
    from tests.platform.console_helpers import seed_users

    seed_users()
    return who(db, "agent")


def test_only_agents_and_supervisors_and_changes_need_the_csrf_token(
    client, users, crm_world, db
) -> None:
    from tests.platform.console_helpers import ConsoleUser

    c = callee(crm_world)
    item_id = plan(db, c, "guards")
    assert client.get(LIST).status_code == 401
    assert users["agent"].post(f"{LIST}/{item_id}/claim", csrf=False).status_code == 403
    cross = users["agent"].post(
        f"{LIST}/{item_id}/claim", headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    for role in ("marketer", "designer"):
        other = ConsoleUser(client, role)
        assert other.get(LIST).status_code == 403
        assert other.post(f"{LIST}/{item_id}/claim").status_code == 403
    assert listed(users["supervisor"])["items"][0]["id"] == item_id
    assert item(db, item_id).status == "pending"
    assert (
        users["agent2"].post(f"{LIST}/{item_id}/outcome", {"outcome": "reached"}).status_code == 409
    )


def test_a_claimed_call_comes_with_its_script(client, users, crm_world, db, monkeypatch) -> None:
    stand_in = RasaStandIn()
    monkeypatch.setattr(client.app.state.rasa, "_base", stand_in.url)
    c = callee(crm_world)
    item_id = plan(db, c, "with-script")
    data = claim(users["agent"], item_id).json()
    stand_in.close()
    assert data["script"][0]["text"].startswith(f"Good day, {c.full_name}. This is Alex")
    assert [s["step"] for s in data["script"]][-1] == "closing"
    assert data["profile"]["phone"] == c.phone  # the number to dial, for the holder only
