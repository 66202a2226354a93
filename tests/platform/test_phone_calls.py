"""Phone calls in the console: the caller found by any spelling of their number or by
customer number, the number never shown in full, every lookup audited, the offer the app
showed suggested again, and the call's end recorded in the closed loop and the history."""

from __future__ import annotations

from agent_console.models import Agent, AuditEntry
from crm.closed_loop import response_rates
from crm.models import Interaction, OfferPresentation
from tests.platform.conftest import SERVICE_AUTH
from tests.platform.console_helpers import ConsoleUser

LOOKUP = "/console/api/calls/lookup"


def caller(world):
    """A salaried customer with savings: retention and next-best offers to choose from."""
    c = world.customer(age=35, tenure_years=4)
    world.steady_history(world.account(c), "30000", salary="12000")
    world.analyse(c)
    return c


def spaced(phone: str) -> str:
    return f"{phone[:3]} {phone[3:7]} {phone[7:]}"


def look_up(user, **body):
    response = user.post(LOOKUP, body)
    assert response.status_code == 200, response.text
    return response.json()


def app_shows(client, customer_id: int, code: str, context: str = "chat") -> int:
    """The app's assistant presents an offer, through the CRM API as it does in a chat."""
    response = client.post(
        f"/api/v1/customers/{customer_id}/offer-presentations",
        json={"offer_code": code, "context": context, "channel": "app",
              "presented_by": "assistant", "conversation_id": f"app-{customer_id}"},
        headers=SERVICE_AUTH,
    )  # fmt: skip
    assert response.status_code in (200, 201), response.text
    return response.json()["id"]


def chat_offers(client, customer_id: int) -> list[str]:
    response = client.get(
        f"/api/v1/customers/{customer_id}/offers",
        params={"context": "chat", "channel": "app", "limit": 10},
        headers=SERVICE_AUTH,
    )
    assert response.status_code == 200, response.text
    return [o["code"] for o in response.json()["offers"]]


def test_the_caller_is_found_however_the_number_is_written(client, users, crm_world) -> None:
    c = caller(crm_world)
    crm_world.db.commit()
    p = c.phone  # 11 digits, as the bank stores them
    for typed in (p, f"+86 {spaced(p)}", f"0086-{p[:3]}-{p[3:7]}-{p[7:]}", f"(+86) {p}",
                  f"86{p}", f"{p[:3]}.{p[3:7]}.{p[7:]}"):  # fmt: skip
        data = look_up(users["agent"], phone=typed)
        assert data["profile"]["customer_no"] == c.customer_no, typed
        assert data["call_id"].startswith("call-")


def test_the_full_number_is_never_shown(client, users, crm_world) -> None:
    c = caller(crm_world)
    crm_world.db.commit()
    response = users["agent"].post(LOOKUP, {"phone": f"+86 {spaced(c.phone)}"})
    assert response.status_code == 200
    assert response.json()["profile"]["phone"] == f"[PHONE ****{c.phone[-4:]}]"
    assert c.phone not in response.text and spaced(c.phone) not in response.text


def test_by_customer_number_with_the_same_copilot_as_a_chat(client, users, crm_world) -> None:
    c = caller(crm_world)
    crm_world.db.commit()
    data = look_up(users["agent"], customer_no=f" {c.customer_no.lower()} ")
    profile = data["profile"]
    assert profile["full_name"] == c.full_name and profile["accounts"]
    assert profile["segment"]["label"] and profile["risk_appetite"]["label"]
    assert {"score", "level", "factors"} <= set(profile["churn"])
    offers = data["offers"]
    assert offers["offers"] and offers["contact_policy"]["weekly_limit"] == 3
    assert offers["suggested"] == offers["offers"][0]["code"]
    for offer in offers["offers"]:
        assert offer["reasons"] and offer["expected_value"]


def test_an_unknown_number_gets_a_clear_answer_and_is_audited(client, users, crm_world, db) -> None:
    caller(crm_world)
    crm_world.db.commit()
    response = users["agent"].post(LOOKUP, {"phone": "+86 177 1234 5678"})
    assert response.status_code == 404
    assert response.json()["detail"] == "No customer with this number."
    assert users["agent"].post(LOOKUP, {"customer_no": "Z999999"}).status_code == 404
    assert users["agent"].post(LOOKUP, {"phone": "call me maybe"}).status_code == 422
    assert users["agent"].post(LOOKUP, {}).status_code == 422
    misses = db.query(AuditEntry).filter_by(action="call_lookup", customer_id=None).all()
    assert sorted(m.detail for m in misses) == [
        "customer number Z999999: 0 found",
        "phone ****5678: 0 found",
    ]
    assert all("17712345678" not in m.detail for m in misses)


def test_every_lookup_is_audited_with_the_call(client, users, crm_world, db) -> None:
    c = caller(crm_world)
    crm_world.db.commit()
    data = look_up(users["agent"], phone=c.phone)
    (entry,) = db.query(AuditEntry).filter_by(action="call_lookup", customer_id=c.id).all()
    assert entry.detail == f"{data['call_id']} by phone"
    assert c.phone not in entry.detail
    assert entry.agent_id == db.query(Agent).filter_by(username="agent").one().id


def test_the_offer_the_app_showed_is_the_one_suggested_on_the_phone(
    client, users, crm_world, db
) -> None:
    c = caller(crm_world)
    crm_world.db.commit()
    before = look_up(users["agent"], phone=c.phone)["offers"]["suggested"]
    shown = next(code for code in reversed(chat_offers(client, c.id)) if code != before)
    app_shows(client, c.id, shown)

    data = look_up(users["agent"], phone=c.phone)
    offers = data["offers"]
    assert offers["suggested"] == shown != before
    first = offers["offers"][0]
    assert first["code"] == shown and first["follow_up"] and first["reasons"]
    assert first["seen"]["channel"] == "app" and first["seen"]["presented_by"] == "assistant"


def test_the_app_offer_is_suggested_even_when_the_weeks_allowance_is_spent(
    client, users, crm_world, db
) -> None:
    c = caller(crm_world)
    crm_world.db.commit()
    codes = chat_offers(client, c.id)
    for code in codes[:3]:  # the weekly limit is 3; the last one shown is the one to repeat
        app_shows(client, c.id, code)
    data = look_up(users["agent"], phone=c.phone)
    assert data["offers"]["suggested"] == codes[2]
    assert data["offers"]["contact_policy"]["remaining_this_week"] == 0
    call = data["call_id"]
    response = users["agent"].post(
        f"/console/api/calls/{call}/wrap-up", {"outcome": "offer_accepted", "offer_code": codes[2]}
    )
    assert response.status_code == 200, response.text
    # another offer is a new contact, which the policy refuses this week
    other = look_up(users["agent"], phone=c.phone)["call_id"]
    refused = users["agent"].post(
        f"/console/api/calls/{other}/wrap-up", {"outcome": "offer_declined", "offer_code": codes[0]}
    )
    assert refused.status_code == 409


def test_an_accepted_offer_lands_in_the_closed_loop_and_the_history(
    client, users, crm_world, db
) -> None:
    c = caller(crm_world)
    crm_world.db.commit()
    shown = chat_offers(client, c.id)[0]
    app_presentation = app_shows(client, c.id, shown)
    call = look_up(users["agent"], phone=f"+86 {spaced(c.phone)}")
    response = users["agent"].post(
        f"/console/api/calls/{call['call_id']}/wrap-up",
        {"outcome": "offer_accepted", "offer_code": call["offers"]["suggested"],
         "note": "Wants it from next month; card 4111 1111 1111 1111"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    db.expire_all()
    phone = db.query(OfferPresentation).filter_by(customer_id=c.id, channel="phone").one()
    assert (phone.offer_code, phone.presented_by, phone.outcome) == (shown, "agent", "accepted")
    assert phone.conversation_id == call["call_id"]
    assert db.get(OfferPresentation, app_presentation).channel == "app"
    rates = {r["channel"]: r for r in response_rates(db, ["channel"])}
    assert rates["phone"]["presented"] == 1 and rates["phone"]["accepted"] == 1
    (contact,) = db.query(Interaction).filter_by(customer_id=c.id, channel="phone").all()
    assert contact.kind == "phone_call" and contact.conversation_id == call["call_id"]
    assert "Alex Agent" in contact.summary and "offer accepted" in contact.summary
    assert "Wants it from next month" in contact.summary
    assert "4111 1111 1111 1111" not in contact.summary
    # the call is over: a second wrap-up is refused, nothing is recorded twice
    again = users["agent"].post(
        f"/console/api/calls/{call['call_id']}/wrap-up", {"outcome": "resolved"}
    )
    assert again.status_code == 409
    assert db.query(Interaction).filter_by(customer_id=c.id, channel="phone").count() == 1


def test_declined_no_answer_and_calls_without_an_offer(client, users, crm_world, db) -> None:
    c = caller(crm_world)
    crm_world.db.commit()
    codes = chat_offers(client, c.id)
    agent = users["agent"]

    def wrap(body):
        call = look_up(agent, customer_no=c.customer_no)["call_id"]
        return agent.post(f"/console/api/calls/{call}/wrap-up", body)

    assert wrap({"outcome": "offer_declined", "offer_code": codes[0]}).status_code == 200
    assert wrap({"outcome": "no_answer", "offer_code": codes[1]}).status_code == 200
    assert wrap({"outcome": "resolved", "note": "Asked about fees"}).status_code == 200
    assert wrap({"outcome": "callback"}).status_code == 200
    assert wrap({"outcome": "offer_accepted"}).status_code == 422  # which offer?
    assert wrap({"outcome": "resolved", "offer_code": codes[2]}).status_code == 422
    db.expire_all()
    outcomes = {
        p.offer_code: p.outcome
        for p in db.query(OfferPresentation).filter_by(customer_id=c.id, channel="phone")
    }
    assert outcomes == {codes[0]: "declined", codes[1]: "ignored"}
    kinds = db.query(Interaction).filter_by(customer_id=c.id, channel="phone").all()
    assert len(kinds) == 4 and all(k.kind == "phone_call" for k in kinds)
    # a declined offer is not suggested again on the next call
    assert look_up(agent, phone=c.phone)["offers"]["suggested"] != codes[0]


def test_only_the_agent_on_the_call_wraps_it_up(client, users, crm_world) -> None:
    c = caller(crm_world)
    crm_world.db.commit()
    call = look_up(users["agent"], phone=c.phone)["call_id"]
    path = f"/console/api/calls/{call}/wrap-up"
    assert users["agent2"].post(path, {"outcome": "resolved"}).status_code == 404
    assert users["agent2"].get(f"/console/api/calls/{call}").status_code == 404
    assert users["agent"].get(f"/console/api/calls/{call}").status_code == 200
    assert users["agent"].post("/console/api/calls/call-0000000000000000/wrap-up",
                               {"outcome": "resolved"}).status_code == 404  # fmt: skip


def test_only_signed_in_agents_may_look_callers_up(client, users, crm_world) -> None:
    c = caller(crm_world)
    crm_world.db.commit()
    body = {"phone": c.phone}
    client.cookies.clear()
    # nobody signed in, and a designer: refused before any lookup, the same for any number
    assert client.post(LOOKUP, json=body).status_code == 401
    assert client.post(LOOKUP, json={"phone": "17712345678"}).status_code == 401
    designer = ConsoleUser(client, "designer")
    assert designer.post(LOOKUP, body).status_code == 403
    assert designer.post(LOOKUP, {"phone": "17712345678"}).status_code == 403
    # no CSRF token, or another site's page
    assert users["agent"].post(LOOKUP, body, csrf=False).status_code == 403
    cross = users["agent"].post(LOOKUP, body, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    assert users["supervisor"].post(LOOKUP, body).status_code == 200


def test_lookups_are_rate_limited_per_agent(client, users, crm_world) -> None:
    c = caller(crm_world)
    crm_world.db.commit()
    answers = [users["agent2"].post(LOOKUP, {"phone": c.phone}).status_code for _ in range(31)]
    assert answers[:30] == [200] * 30 and answers[30] == 429
    assert users["agent"].post(LOOKUP, {"phone": c.phone}).status_code == 200
