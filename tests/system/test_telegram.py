"""Telegram through the real python-telegram-bot client against a local Bot API server."""

from __future__ import annotations

import itertools
import time

import httpx
import pytest

from scripts.stack import Stack, free_ports
from tests.support.bot_api_server import BotApiServer
from tests.system.conftest import (
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    app_token,
    crm,
    leave_claim_of_a_dead_replica,
    log_text,
    rasa_headers,
    response_texts,
)

_update_ids = itertools.count(10_000)
_message_ids = itertools.count(1)


def message_update(chat: int, text: str, update_id: int | None = None) -> dict:
    return {
        "update_id": update_id or next(_update_ids),
        "message": {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "Test"},
            "text": text,
        },
    }


def post_update(product, update: dict, secret: str = TELEGRAM_SECRET) -> httpx.Response:
    return httpx.post(
        f"{product['RASA_URL']}/webhooks/telegram/webhook",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        timeout=30,
    )


def sent_to(bot_api, chat: int) -> list[dict]:
    return [m for m in bot_api.state.sent if int(m["chat_id"]) == chat]


def wait_sent_to(bot_api, chat: int, count: int, timeout: float = 20) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sent_to(bot_api, chat)
        if len(messages) >= count:
            return messages
        time.sleep(0.1)
    return sent_to(bot_api, chat)


def test_webhook_is_registered_with_its_secret_at_start_up(product, bot_api) -> None:
    assert bot_api.state.webhook["url"].endswith("/webhooks/telegram/webhook")
    assert bot_api.state.webhook["secret_token"] == TELEGRAM_SECRET


def test_anonymous_chat_gets_answers_through_the_bot_api(product, bot_api) -> None:
    chat = 700001
    assert post_update(product, message_update(chat, "hello")).status_code == 200
    (reply,) = wait_sent_to(bot_api, chat, 1)
    assert reply["text"] in response_texts("utter_greet")


def test_anonymous_chat_never_gets_account_data(product, bot_api) -> None:
    chat = 700002
    post_update(product, message_update(chat, "what's my balance?"))
    replies = wait_sent_to(bot_api, chat, 1)
    assert [r["text"] for r in replies] == response_texts("utter_verify_identity", "telegram")


def test_update_without_the_webhook_secret_is_refused(product, bot_api) -> None:
    chat = 700003
    response = post_update(product, message_update(chat, "hello"), secret="guess")
    assert response.status_code == 401
    time.sleep(1)
    assert sent_to(bot_api, chat) == []


def test_redelivered_update_is_answered_once(product, bot_api) -> None:
    chat = 700004
    update = message_update(chat, "hello")
    assert post_update(product, update).status_code == 200
    assert post_update(product, update).status_code == 200
    wait_sent_to(bot_api, chat, 1)
    time.sleep(1.5)
    assert len(sent_to(bot_api, chat)) == 1


def test_an_update_answered_by_a_replica_that_then_died_is_not_answered_again(
    product, bot_api
) -> None:
    """The replica stored the turn and sent the replies, then was killed before it marked the
    update handled. Telegram redelivers it after the claim lapsed: the retry finds the turn in
    the tracker store and sends nothing twice."""
    chat = 700011
    update = message_update(chat, "hello")
    assert post_update(product, update).status_code == 200
    answered = len(wait_sent_to(bot_api, chat, 1))
    bot_id = TELEGRAM_TOKEN.split(":")[0]
    leave_claim_of_a_dead_replica(product, f"telegram:{bot_id}:{update['update_id']}", 60)
    assert post_update(product, update).status_code == 200
    time.sleep(1.5)
    assert len(sent_to(bot_api, chat)) == answered
    assert f"Telegram update {update['update_id']} was answered before its replica died" in (
        log_text(product)
    )


def test_body_that_is_not_an_update_is_400(product, bot_api) -> None:
    assert post_update(product, {"hello": "world"}).status_code == 400


def test_unknown_update_type_is_ignored_and_logged(product, bot_api) -> None:
    update = {"update_id": next(_update_ids), "poll": {
        "id": "1", "question": "?", "options": [], "total_voter_count": 0, "is_closed": False,
        "is_anonymous": True, "type": "regular", "allows_multiple_answers": False,
    }}  # fmt: skip
    assert post_update(product, update).status_code == 200
    time.sleep(0.5)
    assert f"ignored Telegram update {update['update_id']}" in log_text(product)


def test_button_press_arrives_as_a_callback_query(product, bot_api) -> None:
    chat = 700005
    update = {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": "cb-1",
            "chat_instance": "x",
            "from": {"id": chat, "is_bot": False, "first_name": "Test"},
            "message": message_update(chat, "earlier bot message")["message"],
            "data": "/greet",
        },
    }
    assert post_update(product, update).status_code == 200
    (reply,) = wait_sent_to(bot_api, chat, 1)
    assert reply["text"] in response_texts("utter_greet")
    assert "answerCallbackQuery" in bot_api.state.calls


def test_linked_chat_is_the_customer_in_the_same_conversation(product, bot_api, customer) -> None:
    chat = 700006
    code = crm(product, f"customers/{customer}/link-codes", {"channel": "telegram"}).json()["code"]
    post_update(product, message_update(chat, f"/start {code}"))
    (linked,) = wait_sent_to(bot_api, chat, 1)
    assert linked["text"] in response_texts("utter_telegram_linked")

    post_update(product, message_update(chat, "what's my balance?"))
    replies = wait_sent_to(bot_api, chat, 2)[1:]
    accounts = [a for a in crm(product, f"customers/{customer}/accounts").json()]
    assert any(a["number_last4"] in r["text"] for r in replies for a in accounts)

    history = httpx.get(
        f"{product['PUBLIC_URL']}/chat/history",
        headers={"Authorization": f"Bearer {app_token(product, customer)}"},
        timeout=10,
    ).json()
    telegram_messages = [h for h in history if h["type"] == "user" and h["channel"] == "telegram"]
    assert [h["text"] for h in telegram_messages] == ["what's my balance?"]


def test_a_link_code_works_once(product, bot_api, customer) -> None:
    code = crm(product, f"customers/{customer}/link-codes", {"channel": "telegram"}).json()["code"]
    post_update(product, message_update(700007, f"/start {code}"))
    post_update(product, message_update(700008, f"/start {code}"))
    (second,) = wait_sent_to(bot_api, 700008, 1)
    assert second["text"] in response_texts("utter_telegram_link_failed")


@pytest.mark.parametrize("code", ["NOPE1234", "x"])
def test_unknown_link_code_is_refused(product, bot_api, code) -> None:
    chat = 700100 + len(code)
    post_update(product, message_update(chat, f"/start {code}"))
    (reply,) = wait_sent_to(bot_api, chat, 1)
    assert reply["text"] in response_texts("utter_telegram_link_failed")


@pytest.fixture(scope="module")
def polling_bot(product, tmp_path_factory):
    """A second Rasa server in development (polling) mode against its own Bot API server."""
    token = "5151:system-test-polling-bot"
    with BotApiServer(token) as server:
        env = {
            **product,
            "RASA_PORT": str(free_ports(1)[0]),
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "TELEGRAM_MODE": "polling",
        }
        env.pop("TELEGRAM_WEBHOOK_URL", None)
        stack = Stack.from_env(env, tmp_path_factory.mktemp("polling-logs"))
        stack.services = [s for s in stack.services if s.name == "rasa"]
        stack.start(timeout=300)
        try:
            yield server
        finally:
            stack.stop()


def test_polling_mode_fetches_updates_and_answers(polling_bot) -> None:
    chat = 710001
    polling_bot.state.queue_update({k: v for k, v in message_update(chat, "hello").items()
                                    if k != "update_id"})  # fmt: skip
    (reply,) = wait_sent_to(polling_bot, chat, 1)
    assert reply["text"] in response_texts("utter_greet")
    assert "deleteWebhook" in polling_bot.state.calls  # polling and a webhook exclude each other


def test_agent_message_reaches_a_customer_who_last_wrote_on_telegram(
    product, bot_api, customer
) -> None:
    chat = 700009
    code = crm(product, f"customers/{customer}/link-codes", {"channel": "telegram"}).json()["code"]
    post_update(product, message_update(chat, f"/start {code}"))
    post_update(product, message_update(chat, "hello"))
    wait_sent_to(bot_api, chat, 2)
    agent_says = {"event": "bot", "text": "Hi, this is Alex from the bank.",
                  "metadata": {"author": "agent:agent"}}  # fmt: skip
    appended = httpx.post(
        f"{product['RASA_URL']}/conversations/customer-{customer}/tracker/events",
        params={"execute_side_effects": "true", "output_channel": "latest"},
        headers=rasa_headers(product),
        json=[agent_says],
        timeout=30,
    )
    assert appended.status_code == 200
    assert wait_sent_to(bot_api, chat, 3)[-1]["text"] == "Hi, this is Alex from the bank."


def test_a_group_chat_is_refused(product, bot_api) -> None:
    group = message_update(-700200, "what's my balance?")
    group["message"]["chat"] = {"id": -700200, "type": "group", "title": "Family"}
    post_update(product, group)
    (reply,) = wait_sent_to(bot_api, -700200, 1)
    assert reply["text"] in response_texts("utter_telegram_private_only")


def test_link_codes_cannot_be_guessed_and_a_chat_can_unlink(product, bot_api, customer) -> None:
    chat = 700300
    for n in range(5):
        post_update(product, message_update(chat, f"/start GUESS{n:03d}"))
    wait_sent_to(bot_api, chat, 5)
    code = crm(product, f"customers/{customer}/link-codes", {"channel": "telegram"}).json()["code"]
    post_update(product, message_update(chat, f"/start {code}"))
    sixth = wait_sent_to(bot_api, chat, 6)[-1]
    assert sixth["text"] in response_texts("utter_telegram_link_failed")  # even the right one

    other = 700301
    code = crm(product, f"customers/{customer}/link-codes", {"channel": "telegram"}).json()["code"]
    post_update(product, message_update(other, f"/start {code}"))
    assert wait_sent_to(bot_api, other, 1)[0]["text"] in response_texts("utter_telegram_linked")
    post_update(product, message_update(other, "/unlink"))
    assert wait_sent_to(bot_api, other, 2)[-1]["text"] in response_texts("utter_telegram_unlinked")
    assert crm(product, f"identities/telegram/{other}").status_code == 404
