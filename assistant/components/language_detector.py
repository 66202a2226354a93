"""The language of each message as an entity, so the `language` slot follows the customer.

Detection is by script (`core.language.detect`, shared with the channels and the console):
on a bank chat's short messages (好的, ok, 谢谢, 尾号1234) the characters decide, and a
statistical detector guesses. A message without letters (a card's last digits, an emoji)
gets no entity, so the slot keeps the language of the conversation so far.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from core.language import detect

ENTITY = "language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    """Adds {"entity": "language", "value": "zh" | "en"} to every message with letters."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            language = detect(text, default="")
            if not language:
                continue
            entity = {"entity": ENTITY, "value": language, "start": 0, "end": len(text)}
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name([entity]),
                add_to_output=True,
            )
        return messages
