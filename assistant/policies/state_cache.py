"""A bounded, thread-safe memo keyed on dialogue states.

Rasa's rule and TED policies recompute their answer on every turn from the last few
dialogue states (intent, entity names, slots, previous action, active form). Those state
windows repeat across customers ("check_balance" after a greeting looks the same for
everyone), so the answer can be remembered. The key is the exact states, serialised;
nothing is approximated, and the memo is bounded so that a long-running replica does not
grow without end. Its hits and misses are a Prometheus counter (bank_dialogue_memo_total):
a falling hit rate shows that traffic has left the windows the memo can hold.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from connectors.metrics import DIALOGUE_MEMO

Value = TypeVar("Value")

SIZE = 4096


def state_key(states: Sequence[Any]) -> str:
    """The states as one canonical string: equal states, equal keys."""
    return json.dumps(states, sort_keys=True, separators=(",", ":"), default=list)


class StateMemo(Generic[Value]):
    """Least-recently-used memo of at most `size` answers."""

    def __init__(self, policy: str, size: int = SIZE) -> None:
        self.size = size
        self._answers: OrderedDict[str, Value] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self._hit = DIALOGUE_MEMO.labels(policy, "hit")
        self._miss = DIALOGUE_MEMO.labels(policy, "miss")

    def get(self, key: str) -> Value | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is None:
                self.misses += 1
                self._miss.inc()
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            self._hit.inc()
            return answer

    def put(self, key: str, answer: Value) -> None:
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._answers)
