"""The platform process (platform runtime): `uvicorn --factory server.app:create_app`.

Puts the platform together: the one `/api/v1` (the customer API from `crm`, the handoff and
event APIs from `conversations`, the demo's token issuer from `webchat`), the customer chat
page (`webchat`), the agent console (`agent_console`), health, and the database schema's
migrations (`server/migrations`, `alembic -c server/alembic.ini`). Nothing imports it.
"""
