"""The handoff summary an agent reads at the top of a conversation and in the queue: built
from the conversation's events as Rasa stores them (its SQL tracker store) and the bank's
records, masked, and kept up to date as the conversation goes on."""

from __future__ import annotations

import json
import time

from crm.closed_loop import record_outcome, record_presentation
from tests.platform.conftest import EVENTS, SERVICE_AUTH
from tests.platform.console_helpers import ConsoleUser, handoff


class Conversation:
    """Writes a conversation's events into the tracker store the way Rasa's store does."""

    def __init__(self, engine, sender: str, customer_id: int) -> None:
        self.engine, self.sender, self.customer_id = engine, sender, customer_id
        self.clock = time.time() - 600

    def _store(self, event: dict) -> dict:
        self.clock += 1
        event = {"timestamp": self.clock} | event
        with self.engine.begin() as conn:
            conn.execute(EVENTS.insert().values(
                sender_id=self.sender, type_name=event["event"], timestamp=event["timestamp"],
                intent_name=((event.get("parse_data") or {}).get("intent") or {}).get("name"),
                action_name=event.get("name"), data=json.dumps(event)))  # fmt: skip
        return event

    def session(self) -> None:
        self._store({"event": "action", "name": "action_session_start"})
        self._store({"event": "session_started"})
        self._store({"event": "action", "name": "action_listen"})

    def says(self, text: str, intent: str, **entities: str) -> dict:
        return self._store({
            "event": "user", "text": text, "input_channel": "app",
            "metadata": {"channel": "app", "customer_id": self.customer_id},
            "parse_data": {"intent": {"name": intent, "confidence": 0.93}, "text": text,
                           "entities": [{"entity": k, "value": v} for k, v in entities.items()]},
        })  # fmt: skip

    def bot(self, utter: str, text: str) -> dict:
        return self._store({"event": "bot", "text": text, "data": {},
                            "metadata": {"utter_action": utter}})  # fmt: skip

    def agent(self, text: str) -> dict:
        return self._store({"event": "bot", "text": text, "metadata": {"author": "agent:Ann"}})

    def slot(self, name: str, value) -> dict:
        return self._store({"event": "slot", "name": name, "value": value})

    def form(self, name: str | None) -> dict:
        return self._store({"event": "active_loop", "name": name})

    def action(self, name: str) -> dict:
        return self._store({"event": "action", "name": name})

    def hands_over(self) -> dict:
        self.action("action_handoff")
        self.bot("utter_handoff_created", "A colleague will be with you shortly.")
        return self._store({"event": "pause"})


def lost_card(conversation: Conversation, first: str = "I lost my card") -> None:
    """Lost card, blocked by the assistant, then an angry question and a person asked for."""
    c = conversation
    c.session()
    c.says(first, "lost_or_stolen_card")
    c.slot("card_operation", "block")
    c.form("card_form")
    c.slot("requested_slot", "card_last4")
    c.bot("utter_ask_card_last4", "Which card should I block?")
    c.says("the one ending 4821", "inform", card_last4="4821")
    c.slot("card_last4", "4821")
    c.action("action_submit_card_form")
    c.bot("utter_card_blocked", "Done: the card ending 4821 is blocked and can no longer be used.")
    c.form(None)
    c.says("This is ridiculous, I am really angry. Why was 4111 1111 1111 1111 charged twice?",
           "extra_charge_on_statement")  # fmt: skip
    c.bot("utter_default", "Sorry, I didn't get that.")
    c.says("I want to talk to a person", "human_handoff")
    c.hands_over()


def test_the_summary_says_why_the_customer_came_what_was_done_the_mood_and_the_question(
    client, users, tracker, crm_world
) -> None:
    person = crm_world.customer()
    crm_world.db.commit()
    conversation = f"customer-{person.id}"
    Conversation(tracker, conversation, person.id).session()  # an earlier, forgotten session
    Conversation(tracker, conversation, person.id).says(
        "what is my balance right now", "check_balance"
    )
    handoff(client, conversation, person.id)
    lost_card(Conversation(tracker, conversation, person.id))

    response = users["agent"].get(f"/console/api/conversations/{conversation}/summary")

    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["reason"] == "customer_request"
    assert summary["first_request"] == {"text": "I lost my card", "intent": "lost_or_stolen_card"}
    intents = {i["intent"]: i["count"] for i in summary["intents"]}
    assert intents == {
        "lost_or_stolen_card": 1,
        "inform": 1,
        "extra_charge_on_statement": 1,
        "human_handoff": 1,
    }  # only this session: the balance question is gone
    assert {"entity": "card_last4", "value": "4821"} in summary["entities"]
    assert [d["text"] for d in summary["done"]] == ["Blocked the card ending 4821."]
    assert summary["mood"]["label"] == "negative"
    question = summary["open_question"]["text"]
    assert question.startswith("This is ridiculous")  # not the bare "a person please"
    assert "[CARD ****1111]" in question and "4111 1111" not in json.dumps(summary)
    assert summary["handoff"]["status"] == "pending"
    assert "Blocked the card ending 4821" in summary["line"]
    assert "Mood: negative" in summary["line"]


def test_a_complaint_with_its_reference_and_an_offer_with_the_answer_are_in_the_summary(
    client, users, tracker, crm_world
) -> None:
    person = crm_world.customer()
    crm_world.db.commit()
    conversation = f"customer-{person.id}"
    filed = client.post(f"/api/v1/customers/{person.id}/complaints", headers=SERVICE_AUTH,
                        json={"category": "fees", "description": "Monthly fee charged twice",
                              "channel": "app"})  # fmt: skip
    assert filed.status_code == 201, filed.text
    reference = filed.json()["reference"]
    shown = record_presentation(crm_world.db, person.id, "RET_FEE_WAIVER", "retention", "app",
                                "assistant", conversation)  # fmt: skip
    record_outcome(crm_world.db, shown, "declined")
    crm_world.db.commit()
    handoff(client, conversation, person.id, reason="retention", priority="high")

    c = Conversation(tracker, conversation, person.id)
    c.session()
    c.says("I want to complain about the monthly fee", "complaint")
    c.form("complaint_form")
    c.bot("utter_complaint_created", f"Your complaint is registered under reference {reference}.")
    c.form(None)
    c.slot("offer_presentation_id", shown.id)
    c.slot("offer_code", "RET_FEE_WAIVER")
    c.bot("utter_offer_intro", "I have something for you.")
    c.says("no thanks, just close my account", "deny")
    c.slot("offer_presentation_id", None)
    c.hands_over()

    summary = users["agent"].get(f"/console/api/conversations/{conversation}/summary").json()

    done = {d["kind"]: d for d in summary["done"]}
    assert done["complaint"]["reference"] == reference
    assert f"reference {reference} (fees)" in done["complaint"]["text"]
    assert done["offer"]["outcome"] == "declined"
    assert done["offer"]["text"] == "Showed the offer “12 months without account fees”: declined."
    assert summary["why"].startswith("Churn risk")


def test_the_question_is_no_longer_open_once_a_person_answered_it(
    client, users, tracker, crm_world
) -> None:
    person = crm_world.customer()
    crm_world.db.commit()
    conversation = f"customer-{person.id}"
    handoff(client, conversation, person.id)
    c = Conversation(tracker, conversation, person.id)
    lost_card(c)
    c.agent("The double charge will be refunded within 3 days.")

    answered = users["agent"].get(f"/console/api/conversations/{conversation}/summary").json()
    c.says("thank you so much, that's great", "thanks")
    thanked = users["agent"].get(f"/console/api/conversations/{conversation}/summary").json()

    assert answered["open_question"] is None
    assert thanked["open_question"]["text"] == "thank you so much, that's great"
    assert thanked["mood"]["label"] == "positive"  # the latest words count most


def test_the_queue_preview_shows_the_summary_once_the_bot_hands_over(
    client, users, tracker, crm_world
) -> None:
    person = crm_world.customer()
    crm_world.db.commit()
    conversation = f"customer-{person.id}"
    handoff(client, conversation, person.id)
    c = Conversation(tracker, conversation, person.id)
    lost_card(c, first="I lost my card 4111 1111 1111 1111")
    pause = {"event": "pause", "sender_id": conversation, "timestamp": c.clock}

    posted = client.post("/api/v1/rasa-events", json=[pause], headers=SERVICE_AUTH)

    assert posted.status_code == 202
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        waiting = users["agent"].get("/console/api/queue").json()["waiting"]
        item = next(i for i in waiting if i["conversation_id"] == conversation)
        if "Mood:" in item["summary"]:
            break
        time.sleep(0.1)
    assert item["summary"] == (
        "Came for: “I lost my card [CARD ****1111]” · Did: Blocked the card ending 4821. · "
        "Mood: negative"
    )


def test_the_summary_is_for_console_agents_who_may_see_the_conversation(
    client, users, tracker, crm_world
) -> None:
    person = crm_world.customer()
    crm_world.db.commit()
    conversation = f"customer-{person.id}"
    handoff(client, conversation, person.id)
    path = f"/console/api/conversations/{conversation}/summary"

    assert client.get(path).status_code == 401
    assert ConsoleUser(client, "designer").get(path).status_code == 403
    assert (
        users["agent"].get("/console/api/conversations/customer-999999/summary").status_code == 404
    )
