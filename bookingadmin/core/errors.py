"""Errors a service raises for a person to read.

Views turn them into a flashed message or form error, the API into
{"error": {"code", "message", "fields"}} with `status`.
"""
from __future__ import annotations


class DomainError(Exception):
    """A rule said no. `message` is shown to the user as it is."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    @classmethod
    def on_field(cls, field: str, message: str) -> "DomainError":
        return cls(message, fields={field: message})


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The request was fine but the world changed: the slot is taken, the booking moved on."""

    status = 409
    code = "conflict"
