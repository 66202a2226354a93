"""The customer API (JSON over HTTP) used by the action server and the agent console."""

from fastapi import APIRouter

from crm.api import customers

router = APIRouter(prefix="/api/v1")
router.include_router(customers.router)
