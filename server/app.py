"""The platform process: `uvicorn --factory server.app:create_app`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from agent_console import (
    api_calls,
    api_campaigns,
    api_canned,
    api_churn,
    api_consent,
    api_conversations,
    api_copilot,
    api_dashboard,
    api_monitor,
    api_notes,
    api_outbound,
    api_queue,
    api_review,
    api_summary,
    api_timeline,
    api_transfer,
    console,
    console_socket,
)
from agent_console.console import WEB_DIR as CONSOLE_WEB
from conversations import proactive, sla_loop, timeouts
from conversations.background import spawn
from conversations.live import LiveBus
from conversations.rasa_client import RasaClient
from core.logs import configure_logging, conversation_id
from core.rate_limit import RateLimiter
from crm.marketing import outreach_loop
from crm.settings import get_settings
from server import health, metrics, privacy
from server.api_v1 import api_v1
from server.security import (
    BodyLimit,
    documented_errors,
    origin_of,
    page_policy,
    trusted_conversation_id,
)
from webchat import chat
from webchat.chat import WEB_DIR as CHAT_WEB

log = logging.getLogger("server")


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging("platform", settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.live = LiveBus(settings.redis_url)
        app.state.rasa = RasaClient.from_settings()
        app.state.tasks = set()
        app.state.limiter = RateLimiter(settings.redis_url)
        await app.state.live.start()
        # Handoffs nobody claims in time; reads the database, so it resumes after a restart.
        checker = spawn(app, timeouts.run_forever(app.state.rasa, app.state.live))
        retention = spawn(app, privacy.run_forever())
        # First-response clocks and complaint due dates: warnings and breaches (SLA).
        sla_check = spawn(app, sla_loop.run_forever(app.state.live))
        # Event-triggered outreach: scan, expire, plan calls and messages (scheduler only).
        outreach_scan = spawn(app, outreach_loop.run_forever())
        # Proactive messages through the assistant: due app/Telegram items (scheduler only).
        proactive_send = spawn(app, proactive.run_forever(app.state.rasa))
        try:
            yield
        finally:
            checker.cancel()
            retention.cancel()
            sla_check.cancel()
            outreach_scan.cancel()
            proactive_send.cancel()
            for task in list(app.state.tasks):
                task.cancel()
            await app.state.rasa.close()
            await app.state.live.stop()

    docs = settings.api_docs  # off unless asked for: the API's map is not for everyone
    app = FastAPI(
        lifespan=lifespan,
        title="Bank assistant platform",
        description="Customer API, agent console and customer chat page.",
        version="0.1.0",
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.add_middleware(BodyLimit)
    metrics.install(app)
    app.openapi = lambda: documented_errors(app)
    console_policy = page_policy()
    chat_policy = page_policy(origin_of(settings.rasa_public_url))
    app.include_router(health.router)
    app.include_router(api_v1(settings.demo_mode))
    app.include_router(chat.router)
    app.include_router(console.router)
    app.include_router(api_monitor.pages)  # /console/monitor
    app.include_router(api_campaigns.pages)  # /console/campaigns
    for router in (
        api_queue,
        api_conversations,
        api_copilot,
        api_dashboard,
        api_review,
        api_summary,
        api_notes,
        api_monitor,
        api_timeline,
        api_canned,
        api_calls,
        api_campaigns,
        api_transfer,
        api_outbound,
        api_churn,
        api_consent,
        console_socket,
    ):
        app.include_router(router.router)
    app.mount("/static", StaticFiles(directory=CONSOLE_WEB), name="static")
    app.mount("/chat/static", StaticFiles(directory=CHAT_WEB), name="chat-static")

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse("/console")

    @app.get("/favicon.ico", include_in_schema=False)
    def _favicon() -> Response:
        return Response(status_code=204)

    @app.middleware("http")
    async def _request_context(request: Request, call_next):
        caller = trusted_conversation_id(request.headers, settings.crm_service_token)
        token = conversation_id.set(caller)
        try:
            response = await call_next(request)
        finally:
            conversation_id.reset(token)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        path = request.url.path
        if path.startswith(("/console", "/chat")):
            # Scripts only from our own files: an injected <script> or handler never runs.
            policy = chat_policy if path.startswith("/chat") else console_policy
            response.headers.setdefault("Content-Security-Policy", policy)
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        incident = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s on %s %s", incident, request.method, request.url.path)
        return JSONResponse(
            {"detail": "Internal error; nothing was changed.", "incident": incident},
            status_code=500,
        )

    return app
