"""The bank's customer data, analytics and offers.

Kept import-light: `crm.pii` and `crm.logs` are shared with the Rasa runtime, which has
older library pins, so nothing here may import SQLAlchemy or pydantic at package level.
"""
