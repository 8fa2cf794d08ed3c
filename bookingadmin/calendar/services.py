"""The coach's secret calendar feed: a token on CoachProfile, regenerable (the old URL stops working)."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..catalog.models import CoachProfile
from ..extensions import db

FEED_STATUSES = ("confirmed", "rescheduled")
FEED_PAST_DAYS = 30


def regenerate_feed_token(coach: CoachProfile) -> str:
    """A new secret for the coach's feed; the previous URL answers 404 from now on. The caller commits."""
    coach.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return coach.calendar_token


def feed_url(coach: CoachProfile, *, create: bool = True) -> str | None:
    if not coach.calendar_token:
        if not create:
            return None
        regenerate_feed_token(coach)
    return f"{current_app.config['APP_BASE_URL']}/calendar/coach/{coach.calendar_token}.ics"


def coach_for_token(token: str) -> CoachProfile | None:
    if not token or len(token) < 20:
        return None
    return db.session.scalar(select(CoachProfile).where(CoachProfile.calendar_token == token,
                                                        CoachProfile.is_active.is_(True)))


def feed_bookings(coach: CoachProfile, now: datetime) -> list:
    from ..bookings.models import Booking

    return list(db.session.scalars(select(Booking).where(
        Booking.coach_id == coach.id, Booking.status.in_(FEED_STATUSES),
        Booking.starts_at >= now - timedelta(days=FEED_PAST_DAYS)).order_by(Booking.starts_at)))
