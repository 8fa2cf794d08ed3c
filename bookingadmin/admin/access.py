"""Object-level access for back-office queries, from the bookings domain's own rule.

`bookings.services.bookings_visible_to(user)` decides which bookings a user may see (a coach: their
own). Aggregates and Flask-Admin's legacy Query need that as one SQL condition on `bookings`.
"""
from __future__ import annotations

from sqlalchemy.sql.elements import ColumnElement

from ..bookings.models import Booking


def visible_bookings(user) -> ColumnElement[bool] | None:
    """The condition limiting Booking rows to those `user` may see; None when they may see all."""
    from ..bookings.services import bookings_visible_to

    statement = bookings_visible_to(user)
    froms = statement.get_final_froms()
    if len(froms) == 1 and froms[0] is Booking.__table__:
        return statement.whereclause
    return Booking.id.in_(statement.with_only_columns(Booking.id).scalar_subquery())
