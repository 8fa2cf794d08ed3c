"""The coach's subscription feed (secret URL). One booking's .ics for customers is customer/booking.py's."""
from __future__ import annotations

from flask import Blueprint, Response, abort

from ..core.clock import utcnow
from . import ics
from .services import coach_for_token, feed_bookings

bp = Blueprint("calendar_feed", __name__)


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
