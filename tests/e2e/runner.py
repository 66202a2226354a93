"""End-to-end test conversations: drive the running product as a customer, check replies
and side effects.

Format (YAML, close to Rasa test stories; see tests/e2e/*.yml):

    conversations:
      - name: block a card
        customer: 21            # demo customer; chats through the in-app channel as them
        steps:
          - user: please block my card
            bot: [utter_ask_card]          # response names, or literal texts
          - button: 1                       # press a button of the last reply (1 = first)
            bot: [utter_ask_card_confirmed]
          - user: yes
            bot: [utter_card_blocked]       # exactly these replies, in this order
            check:                          # side effects, read from the customer API
              - get: customers/{customer}/cards
                has: {status: blocked}          # some item matches; `lacks:` no item may;
                                                # "~text": the value contains text

`bot_has: [...]` instead of `bot` checks that these replies are among the step's replies
(for answers whose length depends on the customer's data, e.g. a list of transactions).

Rasa's own story tests skip custom actions; these run them for real. Run all with
`make e2e` (starts a throwaway product, prints a pass/fail table) or from pytest.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import yaml

E2E_DIR = Path(__file__).parent


@dataclass
class Check:
    get: str
    has: dict[str, Any] = field(default_factory=dict)
    lacks: dict[str, Any] = field(default_factory=dict)  # no item may match this


@dataclass
class Step:
    user: str = ""
    bot: list[str] | None = None
    check: list[Check] = field(default_factory=list)
    button: int | None = None  # press the n-th button (1-based) of the previous replies
    bot_has: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"button {self.button}" if self.button else repr(self.user)


@dataclass
class Turn:
    replies: list[str]  # response names (or texts when a reply has no response name)
    buttons: list[dict[str, str]]


@dataclass
class Conversation:
    name: str
    customer: int
    steps: list[Step]
    source: str = ""


@dataclass
class Result:
    conversation: Conversation
    failures: list[str]
    seconds: float

    @property
    def passed(self) -> bool:
        return not self.failures


def load(paths: list[Path] | None = None) -> list[Conversation]:
    conversations = []
    for path in paths or sorted(E2E_DIR.glob("*.yml")):
        for item in (yaml.safe_load(path.read_text()) or {}).get("conversations", []):
            steps = [
                Step(
                    user=str(step.get("user", "")),
                    button=int(step["button"]) if "button" in step else None,
                    bot=[str(b) for b in step["bot"]] if "bot" in step else None,
                    bot_has=[str(b) for b in step.get("bot_has", [])],
                    check=[
                        Check(get=c["get"], has=c.get("has") or {}, lacks=c.get("lacks") or {})
                        for c in step.get("check", [])
                    ],
                )
                for step in item["steps"]
            ]
            conversations.append(
                Conversation(item["name"], int(item["customer"]), steps, source=path.name)
            )
    return conversations


def contains(actual: Any, expected: Any) -> bool:
    """Subset match: every expected key/value is in actual; a list matches if any item does;
    an expected string starting with "~" matches any value that contains the rest."""
    if isinstance(actual, list) and not isinstance(expected, list):
        return any(contains(item, expected) for item in actual)
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and contains(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return isinstance(actual, list) and all(contains(actual, e) for e in expected)
    if isinstance(expected, str) and expected.startswith("~"):
        return expected[1:] in str(actual)
    return str(actual) == str(expected)


class Product:
    """The running product as a customer and a back-office service see it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.http = httpx.Client(timeout=30)

    def token(self, customer: int) -> str:
        now = int(time.time())
        claims = {"sub": str(customer), "iat": now, "exp": now + 900, "aud": "bank-app-chat"}
        return jwt.encode(claims, self.env["APP_JWT_SECRET"], algorithm="HS256")

    def tracker_events(self, conversation: str) -> list[dict[str, Any]]:
        response = self.http.get(
            f"{self.env['RASA_URL']}/conversations/{conversation}/tracker",
            params={"token": self.env["RASA_API_TOKEN"]},
        )
        response.raise_for_status()
        return response.json().get("events", [])

    def restart(self, conversation: str) -> None:
        self.http.post(
            f"{self.env['RASA_URL']}/conversations/{conversation}/tracker/events",
            params={"token": self.env["RASA_API_TOKEN"]},
            json=[{"event": "restart"}],
        ).raise_for_status()

    def say(self, customer: int, text: str, message_id: str) -> Turn:
        """Send as the customer; the replies by response name (or text), and their buttons."""
        conversation = f"customer-{customer}"
        before = len(self.tracker_events(conversation))
        response = self.http.post(
            f"{self.env['RASA_URL']}/webhooks/app/webhook",
            json={"message": text, "message_id": message_id},
            headers={"Authorization": f"Bearer {self.token(customer)}"},
        )
        response.raise_for_status()
        replies, buttons = [], []
        for event in self.tracker_events(conversation)[before:]:
            if event.get("event") == "bot":
                replies.append((event.get("metadata") or {}).get("utter_action") or event["text"])
                buttons += (event.get("data") or {}).get("buttons") or []
        if not replies:  # e.g. the connector's apology, which is not in the tracker
            replies = [m.get("text", "") for m in response.json().get("messages", [])]
        return Turn(replies, buttons)

    def get(self, path: str) -> Any:
        response = self.http.get(
            f"{self.env['CRM_API_URL']}/{path}",
            headers={"Authorization": f"Bearer {self.env['CRM_SERVICE_TOKEN']}"},
        )
        response.raise_for_status()
        return response.json()


def fill(value: Any, **names: Any) -> Any:
    """`{customer}` and `{conversation}` in a check's strings become this run's values."""
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {k: fill(v, **names) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, **names) for v in value]
    return value


def matches(expected: str, produced: str) -> bool:
    return produced == expected or (not expected.startswith("utter_") and expected in produced)


def run(conversation: Conversation, product: Product) -> Result:
    started = time.monotonic()
    failures: list[str] = []
    who = f"customer-{conversation.customer}"
    product.restart(who)
    run_id = time.time_ns()
    buttons: list[dict[str, str]] = []
    for number, step in enumerate(conversation.steps, 1):
        text = step.user
        if step.button is not None:
            if not 1 <= step.button <= len(buttons):
                failures.append(f"step {number}: no button {step.button} in {buttons}")
                break
            text = buttons[step.button - 1]["payload"]
        try:
            turn = product.say(conversation.customer, text, f"e2e-{run_id}-{number}")
        except httpx.HTTPError as exc:
            failures.append(f"step {number} ({step.label}): {exc}")
            break
        replies, buttons = turn.replies, turn.buttons
        if step.bot is not None and (
            len(replies) != len(step.bot)
            or not all(matches(e, p) for e, p in zip(step.bot, replies, strict=True))
        ):
            failures.append(f"step {number} ({step.label}): expected {step.bot}, got {replies}")
        missing = [e for e in step.bot_has if not any(matches(e, p) for p in replies)]
        if missing:
            failures.append(f"step {number} ({step.label}): no {missing} in {replies}")
        for check in step.check:
            names = {"customer": conversation.customer, "conversation": who}
            path, has, lacks = (fill(x, **names) for x in (check.get, check.has, check.lacks))
            actual = product.get(path)
            if has and not contains(actual, has):
                failures.append(f"step {number}: GET {path} has no {has}")
            if lacks and contains(actual, lacks):
                failures.append(f"step {number}: GET {path} has {lacks}")
    return Result(conversation, failures, time.monotonic() - started)


def table(results: list[Result]) -> str:
    width = max([len(r.conversation.name) for r in results] + [12])
    lines = [f"{'conversation':<{width}}  result  seconds", "-" * (width + 17)]
    for result in results:
        verdict = "pass" if result.passed else "FAIL"
        lines.append(f"{result.conversation.name:<{width}}  {verdict:<6}  {result.seconds:7.1f}")
        lines.extend(f"    {failure}" for failure in result.failures)
    passed = sum(r.passed for r in results)
    lines.append(f"{passed}/{len(results)} conversations passed")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="Run end-to-end test conversations.")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    from tests.support.product import running_product

    conversations = load(args.files or None)
    with running_product() as env:
        product = Product(env)
        results = [run(conversation, product) for conversation in conversations]
    print(table(results))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
