"""Tokens for messages in Chinese, English or both (Rasa's WhitespaceTokenizer makes a whole
Chinese sentence one token; Rasa's JiebaTokenizer is declared for `language: zh` only).

Tokens are the words of `mixed_text.spans`, at their offsets in the original message, so
entity spans and `rasa test` line up with what the customer wrote.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from assistant.components.mixed_text import spans


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class MixedTokenizer(Tokenizer):
    """Jieba words in Han text, word characters elsewhere; punctuation is dropped."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MixedTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        tokens = [Token(word, start) for word, start in spans(text) if word.strip()]
        return self._apply_token_pattern(tokens)
