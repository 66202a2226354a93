"""First stage of the two-stage fallback: "did you mean ...?" in words, not an intent name.

Rasa's default shows the raw intent name ("Did you mean 'card_arrival'?"). Each intent has
a domain response `utter_did_you_mean_<intent>` with the question and Yes/No buttons.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import has_response
from core.wording import response_key

NOT_A_GUESS = {"nlu_fallback", "out_of_scope"}


def best_guess(tracker: Tracker) -> str | None:
    """The most likely real intent of the last message (the top one is usually nlu_fallback)."""
    message = tracker.latest_message or {}
    ranking = message.get("intent_ranking") or [message.get("intent") or {}]
    return next((i.get("name") for i in ranking if i.get("name") not in NOT_A_GUESS), None)


class ActionDefaultAskAffirmation(Action):
    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        guess = best_guess(tracker)
        question = f"utter_did_you_mean_{response_key(guess)}" if guess else ""
        if question and has_response(domain, question):
            dispatcher.utter_message(response=question)
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []
