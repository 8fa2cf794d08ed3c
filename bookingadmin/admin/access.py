"""Object-level access for back-office queries: the policy's scope of a permission as a condition.

`auth.policy.scope_condition` decides which rows a user may reach (staff all, a coach their own).
Views add it to their queries; None means "every row", so the query stays untouched.
"""
from __future__ import annotations

from sqlalchemy.sql.elements import ColumnElement, True_

from ..auth.policy import scope_condition
from ..bookings.models import Booking


def scoped(user, permission: str, model: type) -> ColumnElement[bool] | None:
    """The condition limiting `model` rows to those `user` may use `permission` on; None for all of them."""
    condition = scope_condition(user, permission, model)
    return None if isinstance(condition, True_) else condition


def visible_bookings(user) -> ColumnElement[bool] | None:
    """The condition limiting Booking rows to those `user` may see; None when they may see all."""
    return scoped(user, "bookings.view", Booking)
