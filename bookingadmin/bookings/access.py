"""Who may see and touch which booking: permissions from the role, then object-level rules.

Staff with `bookings.view` / `bookings.manage` see and manage every booking, except coaches, who
only ever see and manage their own (the booking's coach profile belongs to them). A customer sees
their own bookings and nothing else. `user` is a User, an anonymous user, or None (nobody).
"""
from __future__ import annotations

from sqlalchemy import Select, false, select, true
from sqlalchemy.sql.elements import ColumnElement

from ..auth.permissions import has_permission
from ..catalog.models import CoachProfile
from .models import Booking


def signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_customer_of(user, booking: Booking) -> bool:
    return signed_in(user) and booking.customer_id == user.id


def coaches_it(user, booking: Booking) -> bool:
    """`user` is the coach this booking is with."""
    return signed_in(user) and booking.coach is not None and booking.coach.user_id == user.id


def _staff_may(user, permission: str, booking: Booking) -> bool:
    if not has_permission(user, permission):
        return False
    return user.role != "coach" or coaches_it(user, booking)


def manages(user, booking: Booking) -> bool:
    """Staff who may confirm, reschedule, cancel, complete this booking (coaches: their own)."""
    return _staff_may(user, "bookings.manage", booking)


def can_view(user, booking: Booking) -> bool:
    return is_customer_of(user, booking) or _staff_may(user, "bookings.view", booking)


def can_read_intake(user, booking: Booking) -> bool:
    """The customer's health details: the customer, and staff with `intake.view` (coaches: their own)."""
    return is_customer_of(user, booking) or _staff_may(user, "intake.view", booking)


def visible_condition(user) -> ColumnElement[bool]:
    """SQL condition on Booking: the rows `user` may see (same rules as can_view)."""
    if not signed_in(user):
        return false()
    own = Booking.customer_id == user.id
    if not has_permission(user, "bookings.view"):
        return own
    if user.role == "coach":
        coached = Booking.coach_id.in_(select(CoachProfile.id).where(CoachProfile.user_id == user.id))
        return own | coached
    return true()


def bookings_visible_to(user) -> Select:
    """select(Booking) limited to what `user` may see; add filters, ordering and paging to it."""
    return select(Booking).where(visible_condition(user))
