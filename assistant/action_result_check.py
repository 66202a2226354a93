"""Rasa's check of each action server reply against its JSON schema, with one validator.

Rasa 3.6 calls `jsonschema.validate` on every custom action's reply; that checks the schema
itself and builds a new validator each time, 14 % of the Rasa server's CPU with 40
customers in the app (`bench/host_throughput.py --profile`). The schema never changes, so it
is checked once and its validator kept; a malformed reply fails exactly as before (the same
ValidationError, with Rasa's hint appended). `assistant.serve` installs it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    checker = validators.validator_for(schema)
    checker.check_schema(schema)
    return checker(schema)


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _validator().validate(result)
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
