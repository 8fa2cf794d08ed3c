"""Calendar downloads: the coach's subscription feed (secret URL) and a customer's own booking."""
from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core.clock import utcnow
from ..extensions import db
from . import ics
from .services import coach_for_token, feed_bookings

bp = Blueprint("calendar", __name__)

CONFIRMED = ("confirmed", "rescheduled")


def _ics_response(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, max-age=300"})


@bp.route("/calendar/coach/<token>.ics")
def coach_feed(token: str):
    """The coach's confirmed bookings as an iCalendar subscription. The token is the only key."""
    coach = coach_for_token(token)
    if coach is None:
        abort(404)
    now = utcnow()
    return _ics_response(ics.feed(coach, feed_bookings(coach, now), now=now), f"{coach.slug}.ics")


@bp.route("/bookings/<number>/calendar.ics")
@login_required
def booking_ics(number: str):
    """The signed-in customer's own confirmed booking, to add to a calendar."""
    from ..bookings.models import Booking

    booking = db.session.scalar(select(Booking).where(Booking.number == number))
    if booking is None or booking.customer_id != current_user.id:
        abort(404)
    cancelled = booking.status not in CONFIRMED
    data = ics.invitation(booking, method="CANCEL" if cancelled else "REQUEST", tz=current_user.timezone,
                          sequence=ics.sequence_for(booking.id), now=utcnow(), language=current_user.language)
    return _ics_response(data, f"{booking.number}.ics")
