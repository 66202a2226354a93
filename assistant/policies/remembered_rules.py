"""RulePolicy that matches its rules once per distinct dialogue state window.

On every turn Rasa's RulePolicy filters all of its rules (490 in this assistant) against
the conversation's states, one Python call per rule and state: about a seventh of the Rasa
server's CPU under load (bench/host_throughput.py with py-spy). Which rules match depends
only on the last states, as many as the longest rule has: a rule of n states is decided by
the last n. So the matching rules are remembered per window of that length
(assistant/policies/state_cache.py). The message's own text takes part in the window only
when a rule is written on text; otherwise "block my card" and "pls block card" are the same
window, as they are to every rule.

The memo is filled only in a loaded model: during training the rule table changes while
Rasa checks it for contradictions.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT

from assistant.policies.remembered_ted import fresh
from assistant.policies.state_cache import StateMemo, state_key

ANY_TEXT = "<text>"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class RememberedRulePolicy(RulePolicy):
    """RulePolicy with its rule matches remembered per dialogue state window."""

    memo: StateMemo[frozenset[str]] | None = None
    _depth = 0  # states in the longest rule
    _rules_read_text = True

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RememberedRulePolicy:
        policy = super().load(config, model_storage, resource, execution_context, **kwargs)
        policy.memo = StateMemo(RulePolicy.__name__)
        keys = [key for table in policy.lookup.values() if isinstance(table, dict)
                for key in table]  # fmt: skip
        policy._depth = max((len(cls._rule_key_to_state(key)) for key in keys), default=0)
        policy._rules_read_text = any(f'"{TEXT}"' in key for key in keys)
        return policy

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        prediction = super().predict_action_probabilities(tracker, domain, rule_only_data, **kwargs)
        return fresh(prediction, RulePolicy.__name__)

    def _get_possible_keys(self, lookup: dict[str, str], states: list[State]) -> set[str]:
        if self.memo is None:
            return super()._get_possible_keys(lookup, states)
        window = states[-self._depth :] if self._depth else []
        # two tables are matched (rules, and a form's unhappy paths): id tells them apart
        key = state_key([id(lookup), self._without_text(window)])
        keys = self.memo.get(key)
        if keys is None:
            keys = frozenset(super()._get_possible_keys(lookup, states))
            self.memo.put(key, keys)
        return set(keys)

    def _without_text(self, window: list[State]) -> list[State]:
        """The window with message texts made alike, when no rule reads text."""
        if self._rules_read_text:
            return window
        return [
            {name: {**part, TEXT: ANY_TEXT} if isinstance(part, dict) and TEXT in part else part
             for name, part in state.items()}
            for state in window
        ]  # fmt: skip
