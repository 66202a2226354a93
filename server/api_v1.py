"""`/api/v1`, from one place: every service-to-service route, each from the package that
owns it. All need the service token (the demo routes exist only with DEMO_MODE)."""

from __future__ import annotations

from fastapi import APIRouter

from conversations import events, handoffs, satisfaction
from crm.api import router as customer_api
from server import privacy
from webchat import demo


def api_v1(demo_mode: bool) -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    router.include_router(customer_api)
    router.include_router(handoffs.router)
    router.include_router(events.router)
    router.include_router(satisfaction.router)
    router.include_router(privacy.router)
    if demo_mode:
        router.include_router(demo.router)
    return router
