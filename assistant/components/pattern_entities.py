"""Entity extraction from the NLU data's lookup tables and regexes, without a trained model.

Why not Rasa's RegexEntityExtractor: it returns every match of every pattern, so "4821" in
"the card ending 4821" would also be an amount, and "credit card" would be a card, an
account type and a product at once. Here a regex's named group `value` marks the entity
inside its context, overlapping matches are resolved (longest first, then by priority,
which can depend on the intent the classifier chose), and an entity can be limited to some
intents. Costs well under a millisecond per message; nothing runs a model twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.pattern_utils import read_lookup_table_file
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.components.chinese_numbers import to_digits

PATTERNS_FILE = "patterns.json"
VALUE_GROUP = "value"


@dataclass(frozen=True)
class Match:
    """One candidate entity: where it is and which pattern found it."""

    entity: str
    start: int
    end: int
    value: str


def lookup_pattern(elements: list[str]) -> str:
    """One alternation, longest element first; word boundaries only beside Latin letters and
    digits ("card" is not inside "discard", but 信用卡 is a word inside 我的信用卡丢了:
    Chinese has no spaces, so a Chinese element matches wherever it occurs)."""
    parts = []
    for element in sorted({e.strip() for e in elements if e.strip()}, key=len, reverse=True):
        left = r"(?<![A-Za-z0-9_])" if re.match(r"[A-Za-z0-9_]", element) else ""
        right = r"(?![A-Za-z0-9_])" if re.search(r"[A-Za-z0-9_]$", element) else ""
        parts.append(left + re.escape(element) + right)
    return "(?:" + "|".join(parts) + ")" if parts else ""


def collect_patterns(training_data: TrainingData) -> list[dict[str, str]]:
    """Regexes and lookup tables named after an entity the training data annotates or lists."""
    names = set(training_data.entities)
    patterns = [
        {"name": r["name"], "pattern": r["pattern"]}
        for r in training_data.regex_features
        if r["name"] in names
    ]
    for table in training_data.lookup_tables:
        if table["name"] not in names:
            continue
        elements = table["elements"]
        if isinstance(elements, str):
            elements = read_lookup_table_file(elements)
        pattern = lookup_pattern(list(elements))
        if pattern:
            patterns.append({"name": table["name"], "pattern": pattern})
    return patterns


def compile_patterns(patterns: list[dict[str, str]]) -> list[tuple[str, re.Pattern[str]]]:
    return [(p["name"], re.compile(p["pattern"], re.IGNORECASE)) for p in patterns]


def intent_matches(intent: str, key: str) -> bool:
    """A key names an intent exactly, or (ending in "_") every intent with that prefix."""
    return intent == key or (key.endswith("_") and intent.startswith(key))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class PatternEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts entities with the data's regexes and lookup tables, one entity per span."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Ties between overlapping matches of equal length go to the earlier entity.
            "priority": [],
            # Per intent (or "prefix_"), entities that go first in that intent.
            "intent_priority": {},
            # Per entity, the only intents (or "prefix_") in which it is extracted.
            "only_in_intents": {},
            # Entities whose value becomes plain digits ("10,000" -> "10000", 1.5万 -> 15000).
            "numeric": [],
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        patterns: list[dict[str, str]] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._compiled = compile_patterns(patterns or [])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PatternEntityExtractor:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> PatternEntityExtractor:
        with model_storage.read_from(resource) as path:
            patterns = json.loads((path / PATTERNS_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, patterns)

    def train(self, training_data: TrainingData) -> Resource:
        patterns = collect_patterns(training_data)
        self._compiled = compile_patterns(patterns)  # a broken regex fails here, not at parse
        with self._model_storage.write_to(self._resource) as path:
            (path / PATTERNS_FILE).write_text(json.dumps(patterns, indent=1), encoding="utf-8")
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = [self._as_entity(m) for m in self.extract(message)]
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name(entities),
                add_to_output=True,
            )
        return messages

    def extract(self, message: Message) -> list[Match]:
        """Non-overlapping matches in text order."""
        text = message.get(TEXT) or ""
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) or ""
        candidates = [m for m in self._matches(text) if self._allowed(m.entity, intent)]
        rank = self._ranking(intent)
        candidates.sort(key=lambda m: (-(m.end - m.start), rank(m.entity), m.start))
        chosen: list[Match] = []
        for match in candidates:
            if all(match.end <= c.start or match.start >= c.end for c in chosen):
                chosen.append(match)
        return sorted(chosen, key=lambda m: m.start)

    def _matches(self, text: str) -> list[Match]:
        found = set()
        for name, regex in self._compiled:
            group = VALUE_GROUP if VALUE_GROUP in regex.groupindex else 0
            for hit in regex.finditer(text):
                start, end = hit.span(group)
                if start < end:
                    found.add(Match(name, start, end, text[start:end]))
        return list(found)

    def _allowed(self, entity: str, intent: str) -> bool:
        only = self._config["only_in_intents"].get(entity)
        return only is None or any(intent_matches(intent, key) for key in only)

    def _ranking(self, intent: str) -> Callable[[str], int]:
        order: list[str] = []
        for key, entities in self._config["intent_priority"].items():
            if intent_matches(intent, key):
                order += [e for e in entities if e not in order]
        order += [e for e in self._config["priority"] if e not in order]
        return lambda entity: order.index(entity) if entity in order else len(order)

    def _as_entity(self, match: Match) -> dict[str, Any]:
        value = match.value
        if match.entity in self._config["numeric"]:
            value = to_digits(value) or value.replace(",", "")
        return {"entity": match.entity, "start": match.start, "end": match.end, "value": value}
