"""The platform process: `uvicorn --factory agent_console.main:create_app`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from agent_console import chat_page, console, demo, handoffs, health, linking, rasa_events
from agent_console.live import LiveBus
from crm.api import router as crm_router
from crm.logs import configure_logging, conversation_id
from crm.settings import get_settings

log = logging.getLogger("agent_console")


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging("platform", settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.live = LiveBus(settings.redis_url)
        await app.state.live.start()
        try:
            yield
        finally:
            await app.state.live.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Bank assistant platform",
        description="Customer API, agent console and customer chat page.",
        version="0.1.0",
    )
    app.include_router(health.router)
    app.include_router(crm_router)
    app.include_router(handoffs.router)
    app.include_router(rasa_events.router)
    app.include_router(linking.router)
    app.include_router(chat_page.router)
    app.include_router(console.router)
    app.mount("/static", StaticFiles(directory=chat_page.WEB_DIR), name="static")
    if settings.demo_mode:
        app.include_router(demo.router)

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse("/console")

    @app.middleware("http")
    async def _request_context(request: Request, call_next):
        token = conversation_id.set(request.headers.get("x-conversation-id"))
        try:
            return await call_next(request)
        finally:
            conversation_id.reset(token)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        incident = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s on %s %s", incident, request.method, request.url.path)
        return JSONResponse(
            {"detail": "Internal error; nothing was changed.", "incident": incident},
            status_code=500,
        )

    return app
