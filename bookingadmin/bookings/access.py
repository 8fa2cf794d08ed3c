"""Who may see and touch which booking, in the bookings domain's words; the answers come from
the one access policy (auth.policy), so a list, a button and a service never disagree.

Staff with `bookings.view` / `bookings.manage` reach bookings at their role's scope (a coach: the
bookings with their own coach profile); every signed-in user sees the bookings they are the
customer of. `user` is a User, an anonymous user, or None (nobody).
"""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.sql.elements import ColumnElement

from ..auth.permissions import signed_in
from ..auth.policy import allowed, scope_condition
from .models import Booking


def is_customer_of(user, booking: Booking) -> bool:
    """`user` is the customer of this booking (the customer's own actions: cancel, move, feedback)."""
    return signed_in(user) and booking.customer_id == user.id


def manages(user, booking: Booking) -> bool:
    """Staff who may confirm, reschedule, cancel, complete this booking (coaches: their own)."""
    return allowed(user, "bookings.manage", booking)


def can_view(user, booking: Booking) -> bool:
    return allowed(user, "bookings.view", booking)


def can_read_intake(user, booking: Booking) -> bool:
    """The customer's health details: the customer, and staff with `intake.view` (coaches: their own)."""
    return allowed(user, "intake.view", booking)


def visible_condition(user) -> ColumnElement[bool]:
    """SQL condition on Booking: the rows `user` may see (same rule as can_view)."""
    return scope_condition(user, "bookings.view", Booking)


def bookings_visible_to(user) -> Select:
    """select(Booking) limited to what `user` may see; add filters, ordering and paging to it."""
    return select(Booking).where(visible_condition(user))
