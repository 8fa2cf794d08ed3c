"""The one way to add an API route: `api_route` registers the URL, enforces the permission it names,
parses the declared query and body, and records the OpenAPI operation, all from one declaration.

    @api_route("/bookings/<number>", "GET", permission=ANY_OF("bookings.book", "bookings.view"),
               summary="One booking", response="Booking", tag="bookings")
    def get_booking(number): ...

Permissions: PUBLIC (anyone), AUTHENTICATED (any signed-in user), a permission name, or ANY_OF(...).
Order of checks: credentials (401), CSRF for cookie sessions (403), permission (403), input (400);
object-level rules (a customer's own bookings, a coach's own slots) are the services' business.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from functools import wraps
from typing import Callable

from flask import Blueprint, request

from ..auth.permissions import PERMISSIONS, has_permission
from ..core.errors import DomainError
from .errors import ApiError, invalid_input, on_domain_error, unauthorized
from .idempotency import run_once
from .schemas import Schema
from .security import api_user, authenticate_request, check_csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate_request)
bp.register_error_handler(DomainError, on_domain_error)

PUBLIC = "public"
# Calls that change state accept an Idempotency-Key (idempotency.py).
IDEMPOTENT_METHODS = ("POST", "PUT", "PATCH", "DELETE")
AUTHENTICATED = "authenticated"


@dataclass(frozen=True)
class AnyOf:
    permissions: tuple[str, ...]

    def __str__(self) -> str:
        return " or ".join(self.permissions)


def ANY_OF(*permissions: str) -> AnyOf:  # noqa: N802  (reads like the constants beside it)
    return AnyOf(permissions)


@dataclass
class Operation:
    """One documented route: what the OpenAPI document says about it."""

    rule: str
    method: str
    endpoint: str
    permission: str | AnyOf
    summary: str
    description: str
    tag: str
    query: Schema | None = None
    body: Schema | None = None
    response: str | None = None     # a components/schemas name, or None for 204
    status: int = 200
    errors: tuple[int, ...] = field(default_factory=tuple)

    @property
    def path(self) -> str:
        return bp.url_prefix + self.rule


OPERATIONS: list[Operation] = []


def api_route(rule: str, method: str, *, permission: str | AnyOf, summary: str, tag: str,
              query: Schema | None = None, body: Schema | None = None, response: str | None = None,
              status: int = 200, errors: tuple[int, ...] = ()) -> Callable:
    _check_permission_name(permission)

    def decorator(view: Callable) -> Callable:
        wants = inspect.signature(view).parameters

        @wraps(view)
        def wrapped(**kwargs):
            _enforce(permission)
            if query is not None:
                kwargs["query"] = load_query(query)
            if body is not None:
                kwargs["body"] = load_json(body)
            if "user" in wants:
                kwargs["user"] = api_user()
            if method in IDEMPOTENT_METHODS and permission != PUBLIC:
                return run_once(api_user(), lambda: view(**kwargs))
            return view(**kwargs)

        bp.add_url_rule(rule, endpoint=view.__name__, view_func=wrapped, methods=[method])
        OPERATIONS.append(Operation(rule=rule, method=method, endpoint=view.__name__, permission=permission,
                                    summary=summary, description=inspect.cleandoc(view.__doc__ or ""),
                                    tag=tag, query=query, body=body, response=response, status=status,
                                    errors=errors))
        return wrapped

    return decorator


def _check_permission_name(permission: str | AnyOf) -> None:
    names = permission.permissions if isinstance(permission, AnyOf) else (permission,)
    for name in names:
        if name not in (PUBLIC, AUTHENTICATED) and name not in PERMISSIONS:
            raise KeyError(f"unknown permission {name!r} on an API route")


def _enforce(permission: str | AnyOf) -> None:
    if permission == PUBLIC:
        return
    user = api_user()
    if user is None:
        raise unauthorized()
    check_csrf()
    if permission == AUTHENTICATED:
        return
    names = permission.permissions if isinstance(permission, AnyOf) else (permission,)
    if not any(has_permission(user, name) for name in names):
        raise ApiError(403, "forbidden", f"This needs the permission {permission}")


def load_json(schema: Schema) -> dict:
    """The request's JSON body through `schema`; a body that is not a JSON object is a 400."""
    data = request.get_json(silent=True)
    if data is None and request.get_data(cache=True):
        raise invalid_input({"body": "The body is not valid JSON"})
    return schema.load({} if data is None else data)


def load_query(schema: Schema) -> dict:
    return schema.load(request.args, from_query=True)
