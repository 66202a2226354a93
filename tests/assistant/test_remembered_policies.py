"""The dialogue policies that remember their answers (assistant/policies/) must answer as
Rasa's own policies do: the same probabilities at every step of every test story, whether
the answer was computed or remembered; an answer the ensemble changes (it zeroes a rejected
action in place) does not change the next one; and the predictions carry Rasa's policy
names, which `rasa test` and the tracker's events show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.core.training import load_data
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.policies.remembered_rules import RememberedRulePolicy
from assistant.policies.remembered_ted import RememberedTEDPolicy
from bench.nlu_eval import load_agent

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "bank.tar.gz"
STORIES = ROOT / "tests" / "stories"


@pytest.fixture(scope="module")
def agent() -> Any:
    return load_agent(MODEL)


def policy(agent: Any, kind: type) -> Any:
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    (found,) = [n._component for n in nodes if isinstance(n._component, kind)]
    return found


@pytest.fixture(scope="module")
def steps(agent: Any) -> list[DialogueStateTracker]:
    """Every point in the test stories where the assistant picks its next action."""
    domain = agent.domain
    found = []
    for story in load_data(str(STORIES), domain, augmentation_factor=0,
                           use_story_concatenation=False):  # fmt: skip
        events = list(story.events)
        for i, event in enumerate(events):
            if isinstance(event, ActionExecuted) and i > 0:
                found.append(
                    DialogueStateTracker.from_events(story.sender_id, events[:i], domain.slots)
                )
    assert len(found) > 500  # the stories cover every flow
    return found


def computed(remembering: Any, tracker: DialogueStateTracker, domain: Any) -> Any:
    """Rasa's own answer: the same policy with nothing remembered."""
    memo, remembering.memo = remembering.memo, None
    try:
        return remembering.predict_action_probabilities(tracker, domain)
    finally:
        remembering.memo = memo


@pytest.mark.parametrize(("kind", "rasa_kind"), [(RememberedTEDPolicy, TEDPolicy),
                                                 (RememberedRulePolicy, RulePolicy)])  # fmt: skip
def test_remembered_answers_are_rasas_own_at_every_story_step(
    agent: Any, steps: list[DialogueStateTracker], kind: type, rasa_kind: type
) -> None:
    remembering = policy(agent, kind)
    domain = agent.domain
    hits = remembering.memo.hits
    for tracker in steps:
        own = computed(remembering, tracker, domain)
        assert own.policy_name == rasa_kind.__name__
        first = remembering.predict_action_probabilities(tracker, domain)
        again = remembering.predict_action_probabilities(tracker, domain)
        assert first == own, tracker.sender_id
        assert again == own, tracker.sender_id
        first.probabilities[:] = [0.0] * len(first.probabilities)  # as the ensemble does
        assert remembering.predict_action_probabilities(tracker, domain) == own
    assert remembering.memo.hits - hits >= 2 * len(steps)  # asked again: remembered


def test_rule_matches_do_not_depend_on_the_words_a_customer_used(
    agent: Any, steps: list[DialogueStateTracker]
) -> None:
    """No rule is written on text, so two phrasings of one request are one window."""
    rules = policy(agent, RememberedRulePolicy)
    tracker = next(t for t in steps if t.latest_action_name == "action_listen"
                   and t.latest_message.text and not t.active_loop_name)  # fmt: skip
    tracker.latest_message.text = "block my card please"
    own = computed(rules, tracker, agent.domain)
    rules.predict_action_probabilities(tracker, agent.domain)
    windows = len(rules.memo)
    for text in ("pls block card", "卡丢了 帮我冻结"):
        tracker.latest_message.text = text
        assert rules.predict_action_probabilities(tracker, agent.domain) == own
    assert len(rules.memo) == windows  # nothing new to remember
