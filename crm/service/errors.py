"""What can go wrong in the service layer, worded for the person or program that asked.

The routes map each to an HTTP status (crm.api.deps.http_error); the console to its own."""

from __future__ import annotations


class NotFound(Exception):
    """No such customer, card, presentation (404)."""


class Conflict(Exception):
    """The request contradicts the current state: an impossible card change, an offer the
    contact policy forbids now, an outcome already final (409)."""


class Unprocessable(Exception):
    """Well-formed but meaningless here, e.g. an unknown offer code (422)."""
