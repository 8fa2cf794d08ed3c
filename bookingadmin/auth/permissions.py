"""Roles are named sets of permissions. Every view, admin view and API route asks `has_permission`.

Object-level rules (a coach sees only their bookings, a customer only theirs) sit on top, in the
domain services.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort
from flask_login import current_user

PERMISSIONS = {
    "backoffice.access": "open the back office at /admin",
    "bookings.view": "see bookings (coaches: their own)",
    "bookings.manage": "confirm, reschedule, cancel, complete bookings (coaches: their own)",
    "bookings.book": "book consultations for oneself",
    "intake.view": "read customers' intake (health) details",
    "availability.manage": "edit weekly hours, overrides and slots (coaches: their own)",
    "catalog.manage": "edit consultation types and coach profiles",
    "users.manage": "create and edit user accounts and roles",
    "customers.view": "see customer profiles and their history",
    "refunds.issue": "refund payments",
    "payments.record": "record manual payments (cash, bank transfer)",
    "notifications.resend": "resend emails and see the delivery log",
    "analytics.view": "see dashboards and analytics",
    "audit.view": "read the booking audit log",
}

ROLES = ("admin", "coach", "support", "customer")
STAFF_ROLES = ("admin", "coach", "support")

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "coach": frozenset({
        "backoffice.access", "bookings.view", "bookings.manage", "intake.view", "availability.manage",
    }),
    "support": frozenset({
        "backoffice.access", "bookings.view", "bookings.manage", "customers.view", "refunds.issue",
        "payments.record", "notifications.resend", "audit.view",
    }),
    "customer": frozenset({"bookings.book"}),
}


def has_permission(user, permission: str) -> bool:
    """The one question every access check asks."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return permission in ROLE_PERMISSIONS.get(user.role, frozenset())


def permission_required(permission: str) -> Callable:
    """View decorator: 401 flow (login) for anonymous users, 403 for the wrong role."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from .. import extensions

                return extensions.login_manager.unauthorized()
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
