"""The end-to-end runner itself: it must fail when the product misbehaves.

The conversations in tests/e2e/ run through `make e2e` (a suite of `make test`)."""

from __future__ import annotations

import pytest

from tests.e2e.runner import Check, Conversation, Given, Product, Step, cast, load, run


def test_every_conversation_file_loads() -> None:
    conversations = load()
    assert conversations
    assert len({c.name for c in conversations}) == len(conversations), "names are unique"


def test_an_unquoted_yes_is_refused_not_sent_as_true(tmp_path) -> None:
    """YAML reads `user: yes` as a boolean: the customer's "yes" would go out as "True"."""
    conversations = tmp_path / "yes.yml"
    conversations.write_text("conversations:\n  - name: agrees\n    steps:\n      - user: yes\n")
    with pytest.raises(ValueError, match=r"yes.yml: agrees: user: True is not text"):
        load([conversations])


def test_runner_fails_when_a_response_is_broken(product, customer) -> None:
    """A wrong reply must turn the table red, or a green table would mean nothing."""
    broken = Conversation("deliberately broken", [Step(user="hello", bot=["utter_goodbye"])])
    result = run(broken, Product(product), customer)
    assert not result.passed
    assert "expected ['utter_goodbye'], got ['utter_greet']" in result.failures[0]


def test_runner_fails_when_a_side_effect_is_missing(product, customer) -> None:
    check = Check(get="customers/{customer}/cards", has={"status": "lost"})
    broken = Conversation("missing side effect", [Step(user="hello", check=[check])])
    result = run(broken, Product(product), customer)
    assert not result.passed
    assert f"GET customers/{customer}/cards has no {{'status': 'lost'}}" in result.failures[0]


def test_each_conversation_gets_its_own_customer_with_the_facts_it_needs(product) -> None:
    """Customers are chosen from the data, and what the choice read is what the steps use."""
    one_card = {"cards": Given(get="customers/{customer}/cards", count=1)}
    two = [Conversation(f"needs one card {n}", [], dict(one_card)) for n in (1, 2)]
    chosen = cast(two, Product(product), range(1, 61))
    first, second = (chosen.customers[c.name] for c in two)
    assert first != second
    cards = Product(product).get(f"customers/{first}/cards")
    assert chosen.facts["needs one card 1"]["cards"] == cards and len(cards) == 1


def test_a_need_no_customer_meets_fails_the_conversation_and_says_why(product) -> None:
    impossible = Given(get="customers/{customer}/cards", where={"status": "stolen"}, min=3)
    chosen = cast([Conversation("needs the impossible", [], {"x": impossible})],
                  Product(product), range(1, 61))  # fmt: skip
    assert (
        "no free customer in the synthetic bank has x: GET"
        in chosen.missing["needs the impossible"]
    )
