"""TEDPolicy that runs its network once per distinct dialogue state window.

TED's answer is a pure function of the last `max_history` states it featurises (no dropout
at inference, no randomness): the same window gives the same action probabilities. The
network pass and the featurisation were 23 % of the Rasa server's CPU at 40 customers
(bench/host_throughput.py with py-spy), and most windows repeat across customers, so the
answer is remembered per window (assistant/policies/state_cache.py). A model trained on
end-to-end stories reads the message text too; then nothing is remembered.
"""

from __future__ import annotations

import copy
from typing import Any

from rasa.core.featurizers.precomputation import MessageContainerForCoreFeaturization
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT

from assistant.policies.state_cache import StateMemo, state_key


def fresh(prediction: PolicyPrediction, policy_name: str) -> PolicyPrediction:
    """A copy the caller may change (the ensemble zeroes rejected actions in place), under
    Rasa's own policy name: the ensemble, `rasa test` and the tracker's events know
    policies by that name."""
    answer = copy.copy(prediction)
    answer.probabilities = list(prediction.probabilities)
    answer.events = list(prediction.events)
    answer.optional_events = list(prediction.optional_events)
    answer.policy_name = policy_name
    return answer


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True
)
class RememberedTEDPolicy(TEDPolicy):
    """TEDPolicy with its predictions remembered per dialogue state window."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # None remembers nothing: Rasa's own TEDPolicy (the tests compare with it so)
        self.memo: StateMemo[PolicyPrediction] | None = StateMemo(TEDPolicy.__name__)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        precomputations: MessageContainerForCoreFeaturization | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        if self.memo is None or self.model is None or self.only_e2e or TEXT in self.fake_features:
            prediction = super().predict_action_probabilities(
                tracker, domain, rule_only_data, precomputations, **kwargs
            )
            return fresh(prediction, TEDPolicy.__name__)
        # the same states TED featurises for this prediction (_featurize_for_prediction)
        key = state_key(self._prediction_states(tracker, domain, rule_only_data=rule_only_data))
        prediction = self.memo.get(key)
        if prediction is None:
            prediction = super().predict_action_probabilities(
                tracker, domain, rule_only_data, precomputations, **kwargs
            )
            self.memo.put(key, prediction)
        return fresh(prediction, TEDPolicy.__name__)
