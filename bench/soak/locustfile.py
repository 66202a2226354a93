"""The soak's customers, for Locust (headless): each signs in as its own customer of the
synthetic bank and has one realistic conversation of TURNS messages through the proxy.

Run by `bench.soak.run` (it sets the variables below). Like the bank's app, a customer
retries a message that got no answer (connection error, 5xx, 409 still processing) with the
same `message_id` and backs off; every attempt and the final reply go to RECORDS (one JSON
line per message) for the checks after the run. Conversations follow scripts of what
customers do: balances and products, blocking a card (with its confirmation), disputes and
complaints, asking for a person (an agent answers, see bench.soak.agents).
"""

from __future__ import annotations

import itertools
import json
import os
import time

from locust import HttpUser, between, task
from locust.exception import StopUser

from core import app_token

SECRET = os.environ["APP_JWT_SECRET"]
RECORDS = os.environ["SOAK_RECORDS"]
RUN = os.environ["SOAK_RUN"]
FIRST_CUSTOMER = int(os.environ.get("SOAK_FIRST_CUSTOMER", "6"))
USERS = int(os.environ["SOAK_USERS"])
TURNS = int(os.environ.get("SOAK_TURNS", "10"))
THINK = tuple(float(x) for x in os.environ.get("SOAK_THINK", "1,3").split(","))
RETRY_FOR_SECONDS = 120  # the app keeps trying this long before telling the customer
BUTTON = "@button"  # press the first button of the last reply (the app's buttons)

SCRIPTS = {
    "inquiries": [
        "hi", "what's my balance?", "show my recent transactions",
        "what savings accounts do you offer?", "how do I top up my card?",
        "what are the fees for international transfers?",
        "how many days does a payment to another bank need?",
        "what is your exchange rate for euros?", "thanks", "bye",
    ],
    "card": [
        "hello", "please block my card", BUTTON, "yes", "what's my balance?",
        "my replacement card, when does it get here?",
        "what do I do to start using the new card?", "what are my card fees?",
        "thank you", "goodbye",
    ],
    "dispute": [
        "hi", "I want to dispute a transaction", BUTTON, "I never made this payment",
        "yes", "how long will the dispute take?", "what's my balance?",
        "show my recent transactions", "thanks", "bye",
    ],
    "complaint": [
        "hello", "I want to make a complaint", "service", "the branch staff were rude to me",
        "yes", "what's my balance?", "what savings accounts do you offer?",
        "how do I top up my card?", "thanks", "bye",
    ],
    "person": [
        "hi", "what's my balance?", "I need to speak to a human", "is anyone there?",
        "the money I sent on Monday has not shown up", "thanks, that helped", "what's my balance?",
        "show my recent transactions", "thanks", "bye",
    ],
}  # fmt: skip
# SOAK_SCRIPTS=person,card narrows the run to some conversations (to look into one).
KINDS = [k for k in (os.environ.get("SOAK_SCRIPTS") or ",".join(SCRIPTS)).split(",") if k]
_customers = itertools.count(FIRST_CUSTOMER)
_finished = [0]


def scenario_of(customer: int) -> str:
    return KINDS[customer % len(KINDS)]


class Customer(HttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        """Take the next customer; past the last one, stop at once without a word.

        Locust counts running users while it ramps up: a conversation that ends before the
        ramp does is replaced by a new user, who would be a customer the run never planned
        (more messages recorded than customers times turns).
        """
        self.customer = next(_customers)
        if self.customer >= FIRST_CUSTOMER + USERS:
            raise StopUser()
        self.kind = scenario_of(self.customer)
        self.token = app_token.issue(self.customer, SECRET, 3600)
        self.turn = 0
        self.buttons: list[dict] = []

    def _text(self) -> str:
        step = SCRIPTS[self.kind][self.turn % len(SCRIPTS[self.kind])]
        if step != BUTTON:
            return step
        return self.buttons[0]["payload"] if self.buttons else "yes"

    @task
    def say(self) -> None:
        text = self._text()
        message_id = f"{RUN}-{self.customer}-{self.turn}"
        attempts: list[dict] = []
        started = time.time()
        body: dict = {}
        delay = 0.5
        while time.time() - started < RETRY_FOR_SECONDS:
            sent = time.time()
            with self.client.post(
                "/webhooks/app/webhook",
                json={"message": text, "message_id": message_id},
                headers={"Authorization": f"Bearer {self.token}"},
                name="message",
                timeout=90,
                catch_response=True,
            ) as response:
                status = response.status_code or 0
                attempts.append({"at": sent, "status": status, "seconds": time.time() - sent})
                if status == 200:
                    body = response.json()
                    response.success()
                    break
                response.failure(f"HTTP {status}")
                if status in (400, 401, 413):
                    break  # the app's own fault: retrying cannot help
            time.sleep(delay)
            delay = min(delay * 2, 8)
        messages = body.get("messages") or []
        self.buttons = next((m["buttons"] for m in messages if m.get("buttons")), [])
        record = {
            "customer": self.customer, "kind": self.kind, "turn": self.turn, "text": text,
            "message_id": message_id, "attempts": attempts, "answered": bool(body),
            "conversation_id": body.get("conversation_id"), "replayed": body.get("replayed"),
            "with_agent": body.get("with_agent"), "replies": [m.get("text") for m in messages],
            "seconds": attempts[-1]["seconds"] if attempts else None,
        }  # fmt: skip
        with open(RECORDS, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        self.turn += 1
        if self.turn >= TURNS:
            self._done()

    def _done(self) -> None:
        _finished[0] += 1
        if _finished[0] >= USERS:  # every conversation is over: end the run now
            self.environment.runner.quit()
        raise StopUser()
