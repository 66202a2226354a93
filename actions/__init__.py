"""Custom actions (rasa-sdk): they fetch the customer's data and offers from the customer API.

Every module here is imported by the action server; keep module import free of side effects.
"""
