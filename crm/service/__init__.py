"""The customer API's service layer: what the routes, the console's 360 and its copilot call.

Each function takes a session (opened once per request with `crm.db.session_scope`) and
answers in the API's wire schemas (`crm.schemas`), so the console shows exactly what the
API sends. Domain failures are exceptions (`crm.service.errors`); only the routes turn them
into HTTP answers. Reads never write.
"""
