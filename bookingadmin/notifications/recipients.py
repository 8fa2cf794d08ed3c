"""Who is told about a booking, in which language and time zone."""
from __future__ import annotations

from sqlalchemy import select

from ..auth.models import User
from ..auth.permissions import STAFF_ROLES
from ..core.display import choose_zone
from ..extensions import db
from .outbox import Recipient


def customer_recipient(booking) -> Recipient:
    """The customer at their account's address, in their language and zone (the display layer's
    precedence: their account's zone, else the zone they booked in).

    The contact email typed on a booking is shown to staff but never mailed: nobody confirmed it, and
    booking emails carry details (times, meeting links, receipts) that must not go to an address a
    customer can set to anyone's.
    """
    user = booking.customer
    zone = choose_zone(user_zone=user.timezone if user is not None else None, booking_zone=booking.timezone)
    email = user.email if user is not None else booking.customer_email
    return Recipient(email=email, name=booking.customer_name,
                     language=user.language if user is not None else "en", timezone=zone,
                     user_id=booking.customer_id, role="customer")


def staff_recipients(booking) -> list[Recipient]:
    """The booking's coach (in the coach's zone) and every active staff member who opted in."""
    coach = booking.coach
    found: dict[str, Recipient] = {}
    if coach is not None and coach.user is not None and coach.user.active:
        found[coach.user.email] = Recipient(email=coach.user.email, name=coach.user.name, language=coach.user.language,
                                            timezone=coach.timezone, user_id=coach.user.id, role="coach")
    opted_in = db.session.scalars(select(User).where(
        User.notify_new_bookings.is_(True), User.active.is_(True), User.role.in_(STAFF_ROLES)).order_by(User.id))
    for user in opted_in:
        found.setdefault(user.email, Recipient(email=user.email, name=user.name, language=user.language,
                                               timezone=user.timezone, user_id=user.id, role="staff"))
    return list(found.values())
