"""The customer API (JSON over HTTP) used by the action server and the Rasa-side channels;
served under `/api/v1` (server.api_v1). Routes only: the work is `crm.service`.

Every route needs the service token (marketing consent also takes the customer's own app
token). Money is a two-decimal JSON string everywhere.
"""

from fastapi import APIRouter

from crm.api import (
    analytics,
    cards,
    complaints,
    customers,
    identities,
    marketing_consent,
    offers,
    proactive,
    retention,
)

router = APIRouter()
for module in (
    customers,
    cards,
    offers,
    retention,
    complaints,
    analytics,
    identities,
    marketing_consent,
    proactive,
):
    router.include_router(module.router)
