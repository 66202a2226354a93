"""The end-to-end runner itself: it must fail when the product misbehaves.

The conversations in tests/e2e/ run through `make e2e` (a suite of `make test`)."""

from __future__ import annotations

from tests.e2e.runner import Check, Conversation, Product, Step, load, run


def test_every_conversation_file_loads() -> None:
    conversations = load()
    assert conversations
    assert len({c.name for c in conversations}) == len(conversations), "names are unique"


def test_runner_fails_when_a_response_is_broken(product) -> None:
    """A wrong reply must turn the table red, or a green table would mean nothing."""
    broken = Conversation("deliberately broken", 30, [Step(user="hello", bot=["utter_goodbye"])])
    result = run(broken, Product(product))
    assert not result.passed
    assert "expected ['utter_goodbye'], got ['utter_greet']" in result.failures[0]


def test_runner_fails_when_a_side_effect_is_missing(product) -> None:
    check = Check(get="customers/{customer}/cards", has={"status": "lost"})
    broken = Conversation("missing side effect", 31, [Step(user="hello", check=[check])])
    result = run(broken, Product(product))
    assert not result.passed
    assert "GET customers/31/cards has no {'status': 'lost'}" in result.failures[0]
