"""The coach's secret calendar feed. The secret is in the URL and nowhere else: the database keeps
its SHA-256 (like API tokens), so the URL is shown once, when it is made. Making a new one
retires the old URL at once."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..catalog.models import CoachProfile
from ..extensions import db

FEED_STATUSES = ("confirmed", "rescheduled")
FEED_PAST_DAYS = 30
MIN_TOKEN_LENGTH = 20


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def regenerate_feed_token(coach: CoachProfile) -> str:
    """A new secret for the coach's feed, returned once (only its hash is kept); the previous URL
    answers 404 from now on. The caller commits."""
    token = secrets.token_urlsafe(32)
    coach.calendar_token_hash = hash_feed_token(token)
    db.session.flush()
    return token


def has_feed(coach: CoachProfile) -> bool:
    return coach.calendar_token_hash is not None


def feed_url(token: str) -> str:
    """The subscription URL for a secret just made by regenerate_feed_token."""
    return f"{current_app.config['APP_BASE_URL']}/calendar/coach/{token}.ics"


def coach_for_token(token: str) -> CoachProfile | None:
    if not token or len(token) < MIN_TOKEN_LENGTH:
        return None
    return db.session.scalar(select(CoachProfile).where(CoachProfile.calendar_token_hash == hash_feed_token(token),
                                                        CoachProfile.is_active.is_(True)))


def feed_bookings(coach: CoachProfile, now: datetime) -> list:
    from ..bookings.models import Booking

    return list(db.session.scalars(select(Booking).where(
        Booking.coach_id == coach.id, Booking.status.in_(FEED_STATUSES),
        Booking.starts_at >= now - timedelta(days=FEED_PAST_DAYS)).order_by(Booking.starts_at)))
