"""One error format for every API answer that is not a success:

    {"error": {"code": "invalid_input", "message": "...", "fields": {"starts_at": "..."}}}

DomainError (and its NotFound / PermissionDenied / Conflict) carries its own status and code.
Werkzeug's HTTP errors (404 for an unknown URL, 405, 500, ...) are answered the same way for any
path under /api/, while the HTML pages keep their own error pages.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from ..core.errors import DomainError
from ..core.web import run_service

API_PREFIX = "/api/"


class ApiError(DomainError):
    """An error found by the API layer itself (bad input, missing credentials)."""

    def __init__(self, status: int, code: str, message: str, *, fields: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message, fields=fields, code=code)
        self.status = status
        self.headers = headers or {}


def invalid_input(fields: dict[str, str], message: str = "Please correct the fields named in `fields`") -> ApiError:
    """400: the request could not be read (missing, malformed or unknown fields)."""
    return ApiError(400, "invalid_input", message, fields=fields)


def field_names(mapping: dict[str, str] | None = None, *, prefix: str = "") -> run_service:
    """Rename the fields of a DomainError raised inside from the service's words to this endpoint's
    (`duration_minutes` -> `duration`, `intervals[2]` -> `weekly_hours[2]`), so the answer names
    the field the client actually sent. Commits nothing (a step of a handler that commits once)."""
    return run_service(fields=mapping, prefix=prefix, reraise=True, commit=False)


def committed(mapping: dict[str, str] | None = None) -> run_service:
    """The one service call of a handler: commit when it succeeds, else answer its DomainError
    with the fields renamed (see field_names)."""
    return run_service(fields=mapping, reraise=True)


def unauthorized(message: str = "Sign in: send `Authorization: Bearer <token>` or a session cookie") -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def error_response(status: int, code: str, message: str, fields: dict | None = None, headers: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def domain_error_response(error: DomainError):
    return error_response(error.status, error.code, error.message, error.fields, getattr(error, "headers", None))


# Codes for Werkzeug's HTTP errors, in the API's words.
_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
               422: "invalid", 429: "too_many_requests"}


def http_error_response(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        return error_response(status, "server_error", "Something went wrong on our side; it has been logged")
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return error_response(status, _HTTP_CODES.get(status, "error"), error.description or error.name,
                          getattr(error, "fields", None), headers=headers)


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def install(app: Flask) -> None:
    """JSON errors for /api/ paths, wrapping (not replacing) the HTML error pages of the rest.

    Routing errors (an unknown URL, a wrong method) happen before any blueprint is chosen, so the
    dispatch has to be app-wide and look at the path.
    """
    for status in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500):
        previous = _existing_handler(app, status)
        app.register_error_handler(status, _dispatching(previous))
    app.register_error_handler(HTTPException, _dispatching(None))


def _existing_handler(app: Flask, status: int) -> Callable | None:
    handlers = app.error_handler_spec.get(None, {}).get(status, {})
    return next(iter(handlers.values()), None)


def _dispatching(previous: Callable | None) -> Callable:
    def handler(error):
        if is_api_request():
            if not isinstance(error, HTTPException):  # an unhandled exception, wrapped by Flask as 500
                error = InternalServerError()
            return http_error_response(error)
        return previous(error) if previous is not None else error

    return handler


def on_domain_error(error: DomainError):
    """A DomainError raised in an API view: roll back (views commit only on success), answer JSON."""
    from ..extensions import db

    db.session.rollback()
    return domain_error_response(error)
