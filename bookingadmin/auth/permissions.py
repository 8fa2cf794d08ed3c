"""Who may do what: each role grants permissions, each grant has a scope.

role → permission → scope, where the scope says which objects the permission reaches:

- ALL: every object (admins, support);
- OWN_COACH: objects of the coach profile that belongs to the user (a coach's bookings, slots, hours);
- OWN_CUSTOMER: objects the user is the customer of (their own bookings, their own account).

`has_permission(user, p)` asks whether the role grants `p` at any scope (a view's gate, a menu
entry); `auth.policy.allowed(user, p, obj)` and `auth.policy.scope_condition(user, p, model)`
ask about one object or one query. Nothing outside `auth/` names a role to decide access.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort
from flask_login import current_user

PERMISSIONS = {
    "backoffice.access": "open the back office at /admin",
    "bookings.view": "see bookings (coaches: their own; customers: their own)",
    "bookings.manage": "confirm, reschedule, cancel, complete bookings (coaches: their own)",
    "bookings.book": "book consultations (customers: for themselves)",
    "intake.view": "read customers' intake (health) details (coaches: their own bookings'; customers: their own)",
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

ALL, OWN_COACH, OWN_CUSTOMER = "all", "own_coach", "own_customer"
SCOPES = (ALL, OWN_COACH, OWN_CUSTOMER)

ADMIN, COACH, SUPPORT, CUSTOMER = "admin", "coach", "support", "customer"
ROLES = (ADMIN, COACH, SUPPORT, CUSTOMER)

_MINE = (OWN_CUSTOMER,)
GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    ADMIN: {permission: (ALL,) for permission in PERMISSIONS},
    COACH: {
        "backoffice.access": (ALL,),
        "bookings.view": (OWN_COACH, OWN_CUSTOMER),
        "bookings.manage": (OWN_COACH,),
        "intake.view": (OWN_COACH, OWN_CUSTOMER),
        "availability.manage": (OWN_COACH,),
    },
    SUPPORT: {
        **{p: (ALL,) for p in ("backoffice.access", "bookings.view", "bookings.manage", "customers.view",
                               "refunds.issue", "payments.record", "notifications.resend", "audit.view")},
        "intake.view": _MINE,
    },
    CUSTOMER: {"bookings.book": _MINE, "bookings.view": _MINE, "intake.view": _MINE},
}

# The permissions each role holds at some scope (what GET /api/v1/me lists).
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {role: frozenset(grants) for role, grants in GRANTS.items()}
STAFF_ROLES = tuple(role for role in ROLES if "backoffice.access" in GRANTS[role])
# Roles whose users own a coach profile (the back office offers them when making one).
COACH_ROLES = tuple(role for role in ROLES if any(OWN_COACH in s for s in GRANTS[role].values()))
CUSTOMER_ROLES = tuple(role for role in ROLES if role not in STAFF_ROLES)


def signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def scopes(user, permission: str) -> tuple[str, ...]:
    """The scopes at which `user` holds `permission`; () when not at all (anonymous, inactive)."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if not signed_in(user):
        return ()
    return GRANTS.get(user.role, {}).get(permission, ())


def has_permission(user, permission: str) -> bool:
    """Whether `user` holds `permission` on some objects: the gate of a view, an API route or a menu."""
    return bool(scopes(user, permission))


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
