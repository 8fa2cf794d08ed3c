"""Object-level access for back-office queries, from the bookings domain's own rule.

`bookings.services.visible_condition(user)` (the condition behind `bookings_visible_to`) decides
which bookings a user may see: staff all, a coach their own. Views add it to their queries.
"""
from __future__ import annotations

from sqlalchemy.sql.elements import ColumnElement, True_


def visible_bookings(user) -> ColumnElement[bool] | None:
    """The condition limiting Booking rows to those `user` may see; None when they may see all."""
    from ..bookings.services import visible_condition

    condition = visible_condition(user)
    return None if isinstance(condition, True_) else condition
