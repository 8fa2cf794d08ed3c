"""The one access policy: may this user do this to this object, and which rows may they reach.

Roles grant permissions at a scope (permissions.py: ALL, OWN_COACH, OWN_CUSTOMER). Which user an
object belongs to, as its coach or as its customer, is told by the domain that owns the model
(`owned_by(...)` beside the model), so this module imports no domain:

    owned_by(CoachProfile, coach=user_column(CoachProfile.user_id))
    owned_by(Booking, coach=through(Booking.coach_id, CoachProfile), customer=user_column(Booking.customer_id))
    owned_like(Payment, Payment.booking_id, Booking)      # a payment is the booking's

`allowed(user, permission, obj)` answers for one object (a button, a service's guard);
`scope_condition(user, permission, Model)` is the same rule as SQL (a list, a count, an export).
They agree: the rows the condition selects are exactly the objects `allowed()` allows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from flask_login import current_user
from sqlalchemy import false, inspect, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from .permissions import ALL, OWN_COACH, OWN_CUSTOMER, has_permission, scopes

COACH, CUSTOMER = "coach", "customer"  # how an object belongs to a user
_RELATION = {OWN_COACH: COACH, OWN_CUSTOMER: CUSTOMER}


class Owner(Protocol):
    def user_id(self, obj: Any, relation: str) -> int | None: ...

    def condition(self, user_id: int, relation: str) -> ColumnElement[bool]: ...


@dataclass(frozen=True)
class _UserColumn:
    column: Any

    def user_id(self, obj: Any, relation: str) -> int | None:
        return getattr(obj, self.column.key)

    def condition(self, user_id: int, relation: str) -> ColumnElement[bool]:
        return self.column == user_id


@dataclass(frozen=True)
class _Through:
    column: Any
    target: type

    def user_id(self, obj: Any, relation: str) -> int | None:
        key = getattr(obj, self.column.key)
        row = db.session.get(self.target, key) if key is not None else None
        return _owner_id(row, relation) if row is not None else None

    def condition(self, user_id: int, relation: str) -> ColumnElement[bool]:
        primary_key = inspect(self.target).primary_key[0]
        return self.column.in_(select(primary_key).where(_owned_rows(self.target, relation, user_id)))


_OWNERS: dict[type, dict[str, Owner]] = {}


def user_column(column) -> Owner:
    """The object's own column holds the owning user's id."""
    return _UserColumn(column)


def through(column, target: type) -> Owner:
    """The object belongs to whoever owns the `target` row its `column` points at."""
    return _Through(column, target)


def owned_by(model: type, *, coach: Owner | None = None, customer: Owner | None = None) -> None:
    """Declare how rows of `model` belong to a coach and to a customer (each domain, beside its model)."""
    _OWNERS[model] = {relation: owner for relation, owner in ((COACH, coach), (CUSTOMER, customer)) if owner}


def owned_like(model: type, column, target: type) -> None:
    """Rows of `model` belong to the coach and the customer of the `target` row `column` points at."""
    owner = through(column, target)
    owned_by(model, coach=owner, customer=owner)


def _owners(model: type) -> dict[str, Owner]:
    try:
        return _OWNERS[model]
    except KeyError:
        raise LookupError(f"{model.__name__} declares no owners (auth.policy.owned_by)") from None


def _owner_id(obj: Any, relation: str) -> int | None:
    obj = getattr(obj, "_get_current_object", lambda: obj)()  # current_user is a proxy of the User
    owner = _owners(type(obj)).get(relation)
    return owner.user_id(obj, relation) if owner is not None else None


def _owned_rows(model: type, relation: str, user_id: int) -> ColumnElement[bool]:
    owner = _owners(model).get(relation)
    return owner.condition(user_id, relation) if owner is not None else false()


# --------------------------------------------------------------------------- the questions


def allowed(user, permission: str, obj: Any = None) -> bool:
    """May `user` use `permission` on `obj`? Without an object: on any object at all."""
    granted = scopes(user, permission)
    if obj is None or not granted or ALL in granted:
        return bool(granted)
    return any(_owner_id(obj, _RELATION[scope]) == user.id for scope in granted)


def unrestricted(user, permission: str) -> bool:
    """Whether `user` holds `permission` on every object (not only their own)."""
    return ALL in scopes(user, permission)


def scope_condition(user, permission: str, model: type) -> ColumnElement[bool]:
    """SQL condition on `model`: the rows `user` may use `permission` on (true() for all, false() for none)."""
    granted = scopes(user, permission)
    if ALL in granted:
        return true()
    if not granted:
        return false()
    return or_(*(_owned_rows(model, _RELATION[scope], user.id) for scope in granted))


def register_template_helpers(app) -> None:
    """`can(permission, obj=None)` and `can_reach_all(permission)` in every template, for the signed-in user."""
    app.add_template_global(lambda permission, obj=None: allowed(current_user, permission, obj), "can")
    app.add_template_global(lambda permission: unrestricted(current_user, permission), "can_reach_all")


__all__ = ["allowed", "has_permission", "owned_by", "owned_like", "register_template_helpers", "scope_condition",
           "through", "unrestricted", "user_column"]
