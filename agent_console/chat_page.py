"""Serves the customer chat page (the in-app chat widget, standalone for the demo)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from crm.settings import get_settings

WEB_DIR = Path(__file__).parent / "web"

router = APIRouter(tags=["chat"])


@router.get("/chat", include_in_schema=False)
def chat_page() -> FileResponse:
    return FileResponse(WEB_DIR / "chat.html", media_type="text/html")


@router.get("/chat/config.json", include_in_schema=False)
def chat_config() -> dict:
    settings = get_settings()
    return {"rasaUrl": settings.rasa_public_url, "demo": settings.demo_mode}
