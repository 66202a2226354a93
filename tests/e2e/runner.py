"""End-to-end test conversations: drive the running product as a customer, check replies
and side effects.

Format (YAML, close to Rasa test stories; see tests/e2e/*.yml):

    conversations:
      - name: block the card the customer names
        given:                              # the customer this needs, read from the data
          cards: {get: "customers/{customer}/cards", where: {status: active}, min: 2}
        steps:
          - user: please block my card
            bot: [utter_ask_card_last4]      # response names, or literal texts
          - user: the one ending {cards[0][last4]}
            bot: [utter_ask_card_confirmed]
          - button: 1                       # press a button of the last reply (1 = first)
            bot: [utter_card_blocked]       # exactly these replies, in this order
            check:                          # side effects, read from the customer API
              - get: customers/{customer}/cards
                has: {last4: "{cards[0][last4]}", status: blocked}
                                                # some item matches; `lacks:` no item may;
                                                # "~text": the value contains text

`given` names what the conversation needs of its customer, as queries on the customer API:
`get` a path, `at` the list under that key of the answer, `where` the items to keep (same
matching as `has`), `count` exactly or `min` at least that many kept, `first` the first kept
item must also match. Each conversation gets its own customer of the synthetic bank who
satisfies every query, chosen before any conversation runs; what the queries kept is
bound by name for the steps (`{cards[0][last4]}`), with `{customer}` and `{conversation}`.
No customer id or card number is written into a test, so the conversations hold for
whatever bank the generator makes (any seed, any business date).

`bot_has: [...]` instead of `bot` checks that these replies are among the step's replies
(for answers whose length depends on the customer's data, e.g. a list of transactions).

`language: zh` (on a conversation, or on a step to override it) checks that every reply of
the step is written in that language (as core.language detects it): the assistant answers
in the language of the customer's message.

`proactive: {offer: CODE}` instead of `user` makes the bank speak first: a due in-app
message is planned for the customer (tests/e2e/outreach.py: consent and an outreach item, as
a campaign would) and the product's own sender sends it; the step's replies are what the
assistant said, and the step fails unless exactly those reached the chat page live (its
socket, as the open page receives them). The next steps answer it in chat.

Rasa's own story tests skip custom actions; these run them for real. Run all with
`make e2e` (starts a throwaway product, prints a pass/fail table) or from pytest.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from core import app_token, rasa_auth
from core.language import detect

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
    language: str | None = None  # every reply's language (default: the conversation's)
    proactive: dict[str, str] | None = None  # the bank speaks first (see the docstring)

    @property
    def label(self) -> str:
        if self.proactive:
            return "proactive message"
        return f"button {self.button}" if self.button else repr(self.user)


@dataclass
class Turn:
    replies: list[str]  # response names (or texts when a reply has no response name)
    buttons: list[dict[str, str]]
    texts: list[str] = field(default_factory=list)  # what the customer read


@dataclass
class Given:
    """A query a conversation's customer must satisfy (see the module docstring)."""

    get: str
    at: str | None = None
    where: dict[str, Any] = field(default_factory=dict)
    count: int | None = None
    min: int | None = None
    first: dict[str, Any] = field(default_factory=dict)

    def kept(self, answer: Any) -> list[Any] | None:
        """The items this query keeps of an API answer, or None if the customer fails it."""
        items = answer.get(self.at, []) if self.at and isinstance(answer, dict) else answer
        if not isinstance(items, list):
            items = [items]
        kept = [item for item in items if not self.where or contains(item, self.where)]
        if self.count is not None and len(kept) != self.count:
            return None
        if self.min is not None and len(kept) < self.min:
            return None
        if self.first and not (kept and contains(kept[0], self.first)):
            return None
        return kept

    def describe(self) -> str:
        parts = [f"GET {self.get}"] + [
            f"{key} {value}"
            for key, value in (
                ("at", self.at),
                ("where", self.where),
                ("count", self.count),
                ("min", self.min),
                ("first", self.first),
            )
            if value not in (None, {})
        ]
        return ", ".join(parts)


@dataclass
class Conversation:
    name: str
    steps: list[Step]
    given: dict[str, Given] = field(default_factory=dict)
    source: str = ""
    language: str | None = None


@dataclass
class Result:
    conversation: Conversation
    failures: list[str]
    seconds: float
    customer: int | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


def _user_text(step: dict, where: str) -> str:
    """The customer's words, refused unless YAML read them as text.

    Unquoted `yes`, `no`, `on` or `off` are booleans to YAML; sent as "True" they test nothing
    a customer would type, so the file is wrong, not the assistant.
    """
    text = step.get("user", "")
    if not isinstance(text, str):
        raise ValueError(f"{where}: user: {text!r} is not text; quote the words (user: \"yes\")")
    return text


def load(paths: list[Path] | None = None) -> list[Conversation]:
    conversations = []
    for path in paths or sorted(E2E_DIR.glob("*.yml")):
        for item in (yaml.safe_load(path.read_text()) or {}).get("conversations", []):
            steps = [
                Step(
                    user=_user_text(step, f"{path.name}: {item['name']}"),
                    button=int(step["button"]) if "button" in step else None,
                    bot=[str(b) for b in step["bot"]] if "bot" in step else None,
                    bot_has=[str(b) for b in step.get("bot_has", [])],
                    language=step.get("language"),
                    proactive=step.get("proactive"),
                    check=[
                        Check(get=c["get"], has=c.get("has") or {}, lacks=c.get("lacks") or {})
                        for c in step.get("check", [])
                    ],
                )
                for step in item["steps"]
            ]
            given = {name: Given(**query) for name, query in (item.get("given") or {}).items()}
            conversations.append(
                Conversation(
                    item["name"], steps, given, source=path.name, language=item.get("language")
                )
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
        self._cache: dict[str, Any] = {}

    def token(self, customer: int) -> str:
        return app_token.issue(customer, self.env["APP_JWT_SECRET"])

    def tracker_events(self, conversation: str) -> list[dict[str, Any]]:
        response = self.http.get(
            f"{self.env['RASA_URL']}/conversations/{conversation}/tracker",
            headers=rasa_auth.auth_headers(self.env["RASA_API_TOKEN"]),
        )
        response.raise_for_status()
        return response.json().get("events", [])

    def restart(self, conversation: str) -> None:
        self.http.post(
            f"{self.env['RASA_URL']}/conversations/{conversation}/tracker/events",
            headers=rasa_auth.auth_headers(self.env["RASA_API_TOKEN"]),
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
        replies, buttons, texts = [], [], []
        for event in self.tracker_events(conversation)[before:]:
            if event.get("event") == "bot":
                replies.append((event.get("metadata") or {}).get("utter_action") or event["text"])
                buttons += (event.get("data") or {}).get("buttons") or []
                texts.append(event.get("text") or "")
        if not replies:  # e.g. the connector's apology, which is not in the tracker
            replies = [m.get("text", "") for m in response.json().get("messages", [])]
            texts = list(replies)
        return Turn(replies, buttons, texts)

    def proactive(self, customer: int, plan: dict[str, str], wait: float = 45) -> Turn:
        """Plan an in-app proactive message and read what the assistant said (the tracker)
        and what reached the open chat page (its socket); an AssertionError if they differ."""
        import asyncio
        import json

        import websockets

        conversation = f"customer-{customer}"
        before = len(self.tracker_events(conversation))
        socket_url = self.env["PUBLIC_URL"].replace("http", "ws", 1) + "/chat/ws"
        command = [sys.executable, "-m", "tests.e2e.outreach", str(customer), "app",
                   plan["offer"], plan.get("reason", "segment")]  # fmt: skip

        async def live() -> list[dict[str, Any]]:
            async with websockets.connect(socket_url) as socket:
                await socket.send(json.dumps({"token": self.token(customer)}))
                assert json.loads(await socket.recv()).get("type") == "ready"
                planned = await asyncio.to_thread(
                    subprocess.run, command, env=self.env, cwd=E2E_DIR.parents[1],
                    capture_output=True, text=True, timeout=120,
                )  # fmt: skip
                assert planned.returncode == 0, f"planning failed: {planned.stderr[-600:]}"
                messages: list[dict[str, Any]] = []
                deadline = time.monotonic() + wait
                while not (messages and messages[-1].get("buttons")):  # the question ends it
                    try:
                        left = max(0.1, deadline - time.monotonic())
                        event = json.loads(await asyncio.wait_for(socket.recv(), left))
                    except TimeoutError:
                        break
                    if event.get("type") == "message":
                        messages.append(event.get("message") or {})
                return messages

        delivered = asyncio.run(live())
        replies, buttons, texts = [], [], []
        for _ in range(20):  # the tracker is saved just after the messages went out
            stored = self.tracker_events(conversation)[before:]
            events = [e for e in stored if e.get("event") == "bot"]
            if len(events) >= len(delivered):
                break
            time.sleep(0.5)
        for event in events:
            replies.append((event.get("metadata") or {}).get("utter_action") or event["text"])
            buttons += (event.get("data") or {}).get("buttons") or []
            texts.append(event.get("text") or "")
        shown = [m.get("text", "") for m in delivered]
        assert shown == texts, f"the chat page got {shown}, the conversation holds {texts}"
        return Turn(replies, buttons, texts)

    def get_cached(self, path: str) -> Any:
        """A read for choosing customers (before anything runs, so it cannot go stale)."""
        if path not in self._cache:
            self._cache[path] = self.get(path)
        return self._cache[path]

    def get(self, path: str) -> Any:
        response = self.http.get(
            f"{self.env['CRM_API_URL']}/{path}",
            headers={"Authorization": f"Bearer {self.env['CRM_SERVICE_TOKEN']}"},
        )
        response.raise_for_status()
        return response.json()


def fill(value: Any, **names: Any) -> Any:
    """`{customer}`, `{conversation}` and the given facts (`{cards[0][last4]}`) in a step's
    strings become this run's values."""
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {k: fill(v, **names) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, **names) for v in value]
    return value


def matches(expected: str, produced: str) -> bool:
    return produced == expected or (not expected.startswith("utter_") and expected in produced)


@dataclass
class Cast:
    """Who plays each conversation, and the facts the conversation's queries kept."""

    customers: dict[str, int] = field(default_factory=dict)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # conversation -> unmet need


def facts_of(conversation: Conversation, customer: int, product: Product) -> dict | None:
    """What the conversation's queries keep for this customer; None if one fails."""
    facts: dict[str, Any] = {}
    for name, query in conversation.given.items():
        kept = query.kept(product.get_cached(fill(query.get, customer=customer)))
        if kept is None:
            return None
        facts[name] = kept
    return facts


def cast(conversations: list[Conversation], product: Product, customers: range) -> Cast:
    """Give every conversation its own customer who has what it needs, read from the data
    before anything runs; the most demanding conversations choose first."""
    options = {
        c.name: {cid: f for cid in customers if (f := facts_of(c, cid, product)) is not None}
        for c in conversations
    }
    result, taken = Cast(), set()
    for c in sorted(conversations, key=lambda c: len(options[c.name])):
        free = [cid for cid in options[c.name] if cid not in taken]
        if not free:
            needs = "; ".join(f"{n}: {q.describe()}" for n, q in c.given.items())
            result.missing[c.name] = f"no free customer in the synthetic bank has {needs}"
            continue
        taken.add(free[0])
        result.customers[c.name] = free[0]
        result.facts[c.name] = options[c.name][free[0]]
    return result


def run(
    conversation: Conversation,
    product: Product,
    customer: int,
    facts: dict[str, Any] | None = None,
) -> Result:
    started = time.monotonic()
    failures: list[str] = []
    who = f"customer-{customer}"
    names = {"customer": customer, "conversation": who, **(facts or {})}
    product.restart(who)
    run_id = time.time_ns()
    buttons: list[dict[str, str]] = []
    for number, step in enumerate(conversation.steps, 1):
        text = fill(step.user, **names)
        if step.button is not None:
            if not 1 <= step.button <= len(buttons):
                failures.append(f"step {number}: no button {step.button} in {buttons}")
                break
            text = buttons[step.button - 1]["payload"]
        try:
            if step.proactive:
                turn = product.proactive(customer, fill(step.proactive, **names))
            else:
                turn = product.say(customer, text, f"e2e-{run_id}-{number}")
        except (httpx.HTTPError, AssertionError, OSError, subprocess.SubprocessError) as exc:
            failures.append(f"step {number} ({step.label}): {exc}")
            break
        replies, buttons = turn.replies, turn.buttons
        expected = fill(step.bot, **names)
        if expected is not None and (
            len(replies) != len(expected)
            or not all(matches(e, p) for e, p in zip(expected, replies, strict=True))
        ):
            failures.append(f"step {number} ({step.label}): expected {expected}, got {replies}")
        language = step.language or conversation.language
        if language:
            other = [t for t in turn.texts if detect(t, default=language) != language]
            if other:
                failures.append(f"step {number} ({step.label}): not in {language}: {other}")
        bot_has = fill(step.bot_has, **names)
        missing = [e for e in bot_has if not any(matches(e, p) for p in replies)]
        if missing:
            failures.append(f"step {number} ({step.label}): no {missing} in {replies}")
        for check in step.check:
            path, has, lacks = (fill(x, **names) for x in (check.get, check.has, check.lacks))
            actual = product.get(path)
            if has and not contains(actual, has):
                failures.append(f"step {number}: GET {path} has no {has}")
            if lacks and contains(actual, lacks):
                failures.append(f"step {number}: GET {path} has {lacks}")
    return Result(conversation, failures, time.monotonic() - started, customer)


def run_all(conversations: list[Conversation], product: Product, customers: range) -> list[Result]:
    """Cast every conversation, then run each as its customer (or fail it, saying what no
    customer had)."""
    chosen = cast(conversations, product, customers)
    results = []
    for c in conversations:
        if c.name in chosen.missing:
            results.append(Result(c, [chosen.missing[c.name]], 0.0))
        else:
            results.append(run(c, product, chosen.customers[c.name], chosen.facts[c.name]))
    return results


def table(results: list[Result]) -> str:
    width = max([len(r.conversation.name) for r in results] + [12])
    lines = [f"{'conversation':<{width}}  customer  result  seconds", "-" * (width + 27)]
    for result in results:
        verdict = "pass" if result.passed else "FAIL"
        who = str(result.customer or "-")
        lines.append(
            f"{result.conversation.name:<{width}}  {who:>8}  {verdict:<6}  {result.seconds:7.1f}"
        )
        lines.extend(f"    {failure}" for failure in result.failures)
    passed = sum(r.passed for r in results)
    lines.append(f"{passed}/{len(results)} conversations passed")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="Run end-to-end test conversations.")
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument(
        "--on", choices=("sqlite", "postgres"), default="sqlite",
        help="the embedded defaults, or PostgreSQL and Redis as deployed",
    )  # fmt: skip
    args = parser.parse_args()
    from tests.support.pinned import AS_OF, SEED
    from tests.support.product import CUSTOMERS, on_postgres_and_redis, running_product

    conversations = load(args.files or None)
    stores = on_postgres_and_redis("e2e") if args.on == "postgres" else {}
    # The proactive sender looks every second (off in a product by default, as on every
    # replica but the scheduler): tests/e2e/proactive.yml waits for it.
    with running_product(PROACTIVE_SEND_SECONDS="1", **stores) as env:
        results = run_all(conversations, Product(env), range(1, CUSTOMERS + 1))
    print(table(results))
    print(f"synthetic bank: {CUSTOMERS} customers, seed {SEED}, business date {AS_OF}, "
          f"on {'PostgreSQL and Redis' if stores else 'SQLite'}")  # fmt: skip
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
