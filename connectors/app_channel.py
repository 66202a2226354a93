"""In-app chat channel: every request carries the app's signed token; the sender is the customer.

`POST /webhooks/app/webhook` with `Authorization: Bearer <token>` and JSON
`{"message": "...", "message_id": "..."}` answers `{"messages": [...]}` with the bot's replies.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.settings import get_rasa_settings
from connectors import outside_dialogue, platform_api
from connectors.replay_guard import Claim, ReplayGuard, guard_from_environment
from connectors.stored_turns import stored_turn
from core.app_token import AppIdentity, AppTokenVerifier, InvalidToken
from core.logs import conversation_id
from core.pii import mask_card_and_id
from core.rate_limit import MESSAGES_PER_CUSTOMER, RateLimiter
from core.senders import customer_sender_id
from core.vocabulary import Channel

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4000


def _error(status: int, code: str, detail: str) -> HTTPResponse:
    return response.json({"error": code, "detail": detail}, status=status)


async def _is_paused(request: Request, sender: str) -> bool:
    """Is a human agent handling this conversation (the bot paused by a handoff)?"""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None:
        return False
    tracker = await agent.tracker_store.retrieve(sender)
    return bool(tracker and tracker.is_paused())


class AppLiveOutput(OutputChannel):
    """Messages sent outside a request (agent replies, hand-back): to the customer's live page.

    Used by Rasa when the platform appends events with `output_channel=latest` and the
    customer last wrote from the app.
    """

    @classmethod
    def name(cls) -> str:
        return Channel.APP

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._deliver(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._deliver(recipient_id, {"text": text, "buttons": buttons})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._deliver(recipient_id, {"custom": json_message})

    async def _deliver(self, recipient_id: str, message: dict[str, Any]) -> None:
        try:
            await platform_api.post(
                "deliveries", {"conversation_id": recipient_id, "message": message}
            )
        except platform_api.ERRORS as exc:
            log.warning("live delivery to the app failed: %s", exc.__class__.__name__)


def _unavailable() -> HTTPResponse:
    """The turn did not complete (nothing was stored); the app retries the same message_id."""
    return _error(503, "unavailable", "The assistant could not answer; please retry.")


async def _answer_in_store(request: Request, sender: str, key: str) -> dict[str, Any] | None:
    return await stored_turn(getattr(request.app.ctx, "agent", None), sender, key)


async def _answer_in_store_or_none(request: Request, sender: str, key: str) -> dict | None:
    with contextlib.suppress(Exception):  # the store is failing too: not known to be done
        return await _answer_in_store(request, sender, key)
    return None


class AppChannel(InputChannel):
    """The bank app's chat, authenticated per request by a short-lived JWT."""

    @classmethod
    def name(cls) -> str:
        return Channel.APP

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        settings = get_rasa_settings()
        verifier = AppTokenVerifier.from_keys(
            settings.app_jwt_secret, settings.app_jwt_public_key,
            settings.app_token_max_seconds, settings.app_jwt_issuer,
        )  # fmt: skip
        return cls(verifier, settings.redis_url)

    def __init__(self, verifier: AppTokenVerifier, redis_url: str = "") -> None:
        self.verifier = verifier
        self._guard: ReplayGuard | None = None
        self.limiter = RateLimiter(redis_url)

    def get_output_channel(self) -> OutputChannel:
        return AppLiveOutput()

    @property
    def guard(self) -> ReplayGuard:
        if self._guard is None:
            self._guard = guard_from_environment()
        return self._guard

    async def _process(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender: str,
        identity: AppIdentity,
        key: str | None,
    ) -> dict[str, Any]:
        collector = CollectingOutputChannel()
        await on_new_message(
            UserMessage(
                text,
                collector,
                sender,
                input_channel=self.name(),
                message_id=key,
                metadata={
                    "channel": self.name(),
                    "customer_id": identity.customer_id,
                    "verified": True,
                },
            )
        )
        with_agent = False
        if not collector.messages:
            # Silence is right only while a human has the conversation (the bot is paused);
            # otherwise an action failed (e.g. the action server is down) and the customer
            # gets the domain's apology.
            with_agent = await _is_paused(request, sender)
            if not with_agent:
                agent = getattr(request.app.ctx, "agent", None)
                apology = await outside_dialogue.render(
                    agent, "utter_service_unavailable", sender, Channel.APP, text
                )
                collector.messages.extend([apology] if apology else [])
        messages = [{k: v for k, v in m.items() if k != "recipient_id"} for m in collector.messages]
        return {"conversation_id": sender, "messages": messages, "with_agent": with_agent}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("app_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            # Rasa serves even when the model failed to load (it only logs it): such a
            # replica must not get customers, so it is not ready until a model answers.
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"status": "no model loaded"}, status=503)
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                identity = self.verifier.verify(request.headers.get("authorization"))
            except InvalidToken as exc:
                return _error(401, "unauthorized", f"A valid app token is required ({exc}).")
            try:
                body = request.json
            except Exception:  # sanic raises InvalidUsage on malformed JSON
                body = None
            if not isinstance(body, dict) or not isinstance(body.get("message"), str):
                return _error(
                    400, "bad_request", 'Send JSON {"message": "...", "message_id": "..."}.'
                )
            text = body["message"].strip()
            if not text:
                return _error(400, "bad_request", "The message is empty.")
            if len(text) > MAX_MESSAGE_CHARS:
                return _error(
                    413,
                    "message_too_long",
                    f"Messages are limited to {MAX_MESSAGE_CHARS} characters.",
                )
            message_id = body.get("message_id")
            if message_id is not None and (
                not isinstance(message_id, str | int) or len(str(message_id)) > 128
            ):
                return _error(400, "bad_request", "message_id must be a string of <= 128 chars.")

            # Stored, shown to agents and exported from here on: never a readable card or
            # ID number (the assistant still reads the last four digits in the tag).
            text = mask_card_and_id(text)
            sender = customer_sender_id(identity.customer_id)
            key = f"app:{identity.customer_id}:{message_id}" if message_id is not None else None
            try:
                claim = await self.guard.claim(key) if key else Claim.NEW
                if not claim:  # a resend while another replica has the message
                    earlier = await self.guard.wait_reply(key)
                    if earlier is not None:
                        return response.json(earlier | {"replayed": True})
                    # Released, or its replica died (lease lapsed) while this one waited:
                    # take it on now rather than make the customer resend again.
                    claim = await self.guard.claim(key)
            except Exception:  # the tracker store's database is down: nothing happened yet
                log.exception("could not claim message %s", key)
                return _unavailable()
            if not claim:
                return _error(409, "in_progress", "This message is still being processed.")
            if claim is Claim.TAKEN_OVER:
                try:
                    stored = await _answer_in_store(request, sender, key)
                    if stored is not None:  # its replica died after storing the turn
                        await self.guard.finish(key, stored)
                        return response.json(stored | {"replayed": True})
                except Exception:  # the store is failing too; the claim lapses again
                    log.exception("could not look for message %s in the tracker store", key)
                    return _unavailable()
            if not await self.limiter.hit(MESSAGES_PER_CUSTOMER, sender):
                if key:
                    await self.guard.release(key)
                return _error(429, "rate_limited", "Too many messages; wait a moment.")
            token = conversation_id.set(sender)
            try:
                async with self.guard.held(key):
                    body = await self._process(request, on_new_message, text, sender, identity, key)
            except Exception:
                log.exception("processing a message failed")
                # Failing after the turn was stored (releasing the conversation's lock when
                # Redis went away, say) it is done: answer it, so a retry does not repeat it.
                done = await _answer_in_store_or_none(request, sender, key) if key else None
                if done is None:
                    if key:
                        with contextlib.suppress(Exception):  # else the claim lapses
                            await self.guard.release(key)
                    return _unavailable()
                body = done
            finally:
                conversation_id.reset(token)
            if key:
                try:
                    await self.guard.finish(key, body)
                except Exception:  # answered and stored; a retry finds the turn in the store
                    log.exception("could not keep the reply to %s for retries", key)
            return response.json(body)

        return webhook
