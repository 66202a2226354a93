"""Telegram channel on python-telegram-bot (Rasa's built-in one uses aiogram).

Webhook mode for production (Telegram posts updates to /webhooks/telegram/webhook with the
secret token header), polling mode for development. A chat linked to a customer (one-time
code from the app, `/start <code>`) speaks as that customer, in the same conversation as
the app; an unlinked chat is anonymous.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from assistant.settings import RasaSettings, get_rasa_settings
from connectors import outside_dialogue, platform_api
from connectors.replay_guard import Claim, ReplayGuard, guard_from_environment
from connectors.stored_turns import stored_turn
from core.logs import conversation_id
from core.pii import mask_card_and_id
from core.rate_limit import LINK_CODE_GUESSES, MESSAGES_PER_CUSTOMER, RateLimiter
from core.senders import customer_id_of, customer_sender_id, telegram_chat_of, telegram_sender_id
from core.vocabulary import Channel

log = logging.getLogger(__name__)

CHANNEL = Channel.TELEGRAM
IDENTITY_CACHE_SECONDS = 30
MAX_CALLBACK_DATA = 64  # Telegram's limit for inline button payloads


def _keyboard(buttons: list[dict[str, Any]]) -> InlineKeyboardMarkup:
    rows = []
    for button in buttons:
        payload = str(button.get("payload") or button.get("title"))
        if len(payload.encode()) > MAX_CALLBACK_DATA:
            log.warning("button payload longer than Telegram allows; sending its title instead")
            payload = str(button.get("title"))[:MAX_CALLBACK_DATA]
        rows.append([InlineKeyboardButton(str(button.get("title")), callback_data=payload)])
    return InlineKeyboardMarkup(rows)


class TelegramOutput(OutputChannel):
    """Sends to one chat; `chat_id=None` means: find the customer's linked chat first."""

    def __init__(self, bot: Bot, chat_id: int | None = None) -> None:
        self.bot = bot
        self.chat_id = chat_id

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def _chat_for(self, recipient_id: str) -> int | None:
        if self.chat_id is not None:
            return self.chat_id
        chat = telegram_chat_of(recipient_id)
        if chat is not None:
            return chat
        customer = customer_id_of(recipient_id)
        if customer is not None:
            try:
                identities = await platform_api.get(f"customers/{customer}/channel-identities")
            except platform_api.ERRORS as exc:
                log.warning("linked chats of %s unknown: %s", recipient_id, type(exc).__name__)
                identities = []
            chats = [i["external_id"] for i in identities or [] if i["channel"] == CHANNEL]
            if chats:
                return int(chats[-1])
        log.warning("no Telegram chat known for %s; message not delivered", recipient_id)
        return None

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        chat = await self._chat_for(recipient_id)
        if chat is not None:
            await self.bot.send_message(chat, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        chat = await self._chat_for(recipient_id)
        if chat is not None:
            await self.bot.send_message(chat, text, reply_markup=_keyboard(buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        chat = await self._chat_for(recipient_id)
        if chat is not None:
            await self.bot.send_photo(chat, image)


class TelegramChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(get_rasa_settings())

    def __init__(self, settings: RasaSettings) -> None:
        self.settings = settings
        self.bot = Bot(settings.telegram_bot_token, base_url=settings.telegram_api_base_url)
        self._identities: dict[int, tuple[float, int | None]] = {}
        self._poller: asyncio.Task | None = None
        self._guard: ReplayGuard | None = None
        self.limiter = RateLimiter(settings.redis_url)

    @property
    def guard(self) -> ReplayGuard:
        if self._guard is None:
            self._guard = guard_from_environment()
        return self._guard

    def get_output_channel(self) -> OutputChannel:
        return TelegramOutput(self.bot)

    async def _customer_for(self, chat_id: int) -> int | None:
        """The linked customer of a chat (cached briefly), or None for an anonymous chat."""
        cached = self._identities.get(chat_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            body = await platform_api.get(f"identities/{CHANNEL}/{chat_id}")
            customer_id: int | None = int(body["customer_id"])
        except platform_api.PlatformNotFound:
            customer_id = None
        self._identities[chat_id] = (time.monotonic() + IDENTITY_CACHE_SECONDS, customer_id)
        return customer_id

    async def _say(self, agent: Any, chat_id: int, response_name: str, text: str = "") -> None:
        """A domain response, in the language of `text` (the customer's message) or of the
        chat's conversation."""
        sender = telegram_sender_id(chat_id)
        rendered = await outside_dialogue.render(agent, response_name, sender, CHANNEL, text)
        if rendered and rendered.get("text"):
            await self.bot.send_message(chat_id, rendered["text"])

    async def _link(self, agent: Any, chat_id: int, code: str) -> None:
        """Redeem a link code; a chat gets a few guesses a window (codes are 40 bits), then
        the same refusal as a wrong code without the code being tried."""
        linked = False
        if await self.limiter.hit(LINK_CODE_GUESSES, str(chat_id)):
            try:
                body = await platform_api.post(
                    f"identities/{CHANNEL}/redeem", {"code": code, "external_id": str(chat_id)}
                )
                linked = True
            except (platform_api.PlatformRejected, platform_api.PlatformNotFound):
                pass
        if linked:
            self._identities[chat_id] = (
                time.monotonic() + IDENTITY_CACHE_SECONDS,
                int(body["customer_id"]),
            )
        await self._say(
            agent, chat_id, "utter_telegram_linked" if linked else "utter_telegram_link_failed"
        )

    async def _unlink(self, agent: Any, chat_id: int) -> None:
        """`/unlink`: this chat is anonymous again (the customer's other channels stay)."""
        await platform_api.post(f"identities/{CHANNEL}/{chat_id}/unlink", {})
        self._identities[chat_id] = (time.monotonic() + IDENTITY_CACHE_SECONDS, None)
        await self._say(agent, chat_id, "utter_telegram_unlinked")

    async def handle_update(
        self,
        update: Update,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        agent: Any,
    ) -> None:
        """One Telegram update, once: a redelivered update (same update_id) is skipped."""
        key = f"telegram:{self.bot.id}:{update.update_id}"
        claim = await self.guard.claim(key)
        if not claim:
            log.info("Telegram update %s was already handled; skipped", update.update_id)
            return
        try:
            async with self.guard.held(key):
                await self._handle(update, on_new_message, agent, claim is Claim.TAKEN_OVER)
        except BaseException:
            await self.guard.release(key)
            raise
        await self.guard.finish(key, {})

    async def _handle(
        self,
        update: Update,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        agent: Any,
        taken_over: bool = False,
    ) -> None:
        """A text message, a button press, or something we ignore (logged). `taken_over`: a
        replica died handling this update, maybe after Rasa stored the turn (see stored_turns)."""
        if update.callback_query is not None:
            query = update.callback_query
            with contextlib.suppress(TelegramError):
                await query.answer()
            chat = query.message.chat.id if query.message else query.from_user.id
            text = query.data or ""
            message_id = f"tg-cb-{query.id}"
        elif update.message is not None and update.message.text:
            chat = update.message.chat.id
            if update.message.chat.type != "private":
                # A group's members would all read the customer's answers.
                await self._say(agent, chat, "utter_telegram_private_only", update.message.text)
                return
            text = update.message.text
            message_id = f"tg-{chat}-{update.message.message_id}"
            command, _, argument = text.partition(" ")
            if command == "/start" and argument.strip():
                await self._link(agent, chat, argument.strip())
                return
            if command == "/unlink":
                await self._unlink(agent, chat)
                return
        else:
            log.info("ignored Telegram update %s of an unsupported type", update.update_id)
            return

        if not await self.limiter.hit(MESSAGES_PER_CUSTOMER, f"telegram:{chat}"):
            await self._say(agent, chat, "utter_slow_down", text)
            return

        text = mask_card_and_id(text)  # never stored readable (see app_channel)
        customer_id = await self._customer_for(chat)
        sender = customer_sender_id(customer_id) if customer_id else telegram_sender_id(chat)
        if taken_over and await stored_turn(agent, sender, message_id) is not None:
            # Its replies went out as the turn ran; sending the turn again would act twice.
            log.info("Telegram update %s was answered before its replica died; skipped",
                     update.update_id)  # fmt: skip
            return
        token = conversation_id.set(sender)
        try:
            await on_new_message(
                UserMessage(
                    text,
                    TelegramOutput(self.bot, chat),
                    sender,
                    input_channel=CHANNEL,
                    message_id=message_id,
                    metadata={
                        "channel": CHANNEL,
                        "customer_id": customer_id,
                        "verified": customer_id is not None,
                        "telegram_chat_id": chat,
                    },
                )
            )
        finally:
            conversation_id.reset(token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram = Blueprint("telegram_webhook", __name__)
        settings = self.settings

        @telegram.listener("after_server_start")
        async def _start(app: Any, _loop: Any) -> None:
            await self.bot.initialize()
            if settings.telegram_mode == "polling":
                await self.bot.delete_webhook()
                self._poller = asyncio.create_task(self._poll(on_new_message, app))
            elif settings.telegram_webhook_url:
                await self.bot.set_webhook(
                    settings.telegram_webhook_url,
                    secret_token=settings.telegram_webhook_secret,
                    allowed_updates=["message", "callback_query"],
                )

        @telegram.listener("before_server_stop")
        async def _stop(_app: Any, _loop: Any) -> None:
            if self._poller is not None:
                self._poller.cancel()
            with contextlib.suppress(Exception):
                await self.bot.shutdown()

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "mode": settings.telegram_mode})

        @telegram.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if settings.telegram_mode != "webhook" or not hmac.compare_digest(
                given.encode(), settings.telegram_webhook_secret.encode()
            ):
                return response.json({"error": "unauthorized"}, status=401)
            try:
                body = request.json
            except Exception:  # not JSON: Telegram never sends one, attackers might
                body = None
            if not isinstance(body, dict) or not isinstance(body.get("update_id"), int):
                return response.json({"error": "bad_request"}, status=400)
            try:
                update = Update.de_json(body, self.bot)
            except Exception:
                # A well-formed update this library version cannot read (a newer Bot API
                # type): ignore it, or Telegram redelivers it forever.
                log.info("ignored Telegram update %s: unsupported content", body["update_id"])
                return response.json({"ok": True})
            try:
                await self.handle_update(update, on_new_message, request.app.ctx.agent)
            except (*platform_api.ERRORS, TimeoutError, TelegramError):
                log.exception("Telegram update %s failed", update.update_id)
                # 200 anyway: a non-2xx makes Telegram redeliver the same update forever.
            return response.json({"ok": True})

        return telegram

    async def _poll(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], app) -> None:
        """Development mode: long-poll getUpdates instead of receiving webhooks."""
        offset = 0
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset, timeout=10, allowed_updates=["message", "callback_query"]
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("Telegram getUpdates failed; retrying", exc_info=True)
                await asyncio.sleep(2)
                continue
            for update in updates:
                offset = update.update_id + 1
                try:
                    await self.handle_update(update, on_new_message, app.ctx.agent)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("Telegram update %s failed", update.update_id)
