"""The coach time that bookings hold, as availability asks for it (bookings registers; availability never imports us).

A booking holds its coach's time while it is active (pending payment while its hold lasts,
pending confirmation, confirmed, rescheduled), over its time widened by its type's buffers
(`busy_from`/`busy_until`). An unpaid hold whose time ran out holds nothing, even before the
hold sweep cancels it.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Flask
from sqlalchemy import DateTime, and_, func, or_, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from ..availability import engine
from ..availability.sources import TimeSource, register_time_source
from ..extensions import db
from .models import ACTIVE_STATUSES, Booking


class _Instant(TypeDecorator):
    """Reading UTCDateTime columns in bulk: aware values as the driver gives them.

    PostgreSQL's are aware already (in the session's zone: the same instant, which is all the
    engine needs); SQLite's naive ones are UTC. Skipping UTCDateTime's conversion to UTC saves
    a third of the time of loading a hundred coaches' bookings.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=timezone.utc)


def _instant(column) -> ColumnElement[datetime]:
    return type_coerce(column, _Instant())


def holds_time(now: datetime) -> ColumnElement[bool]:
    """SQL: the booking keeps the coach's time at `now`."""
    return and_(
        Booking.status.in_(ACTIVE_STATUSES),
        or_(Booking.status != "pending_payment", Booking.hold_expires_at.is_(None),
            Booking.hold_expires_at > now),
    )


class BookingTime(TimeSource):
    """Bookings and their payment holds, read from the bookings table."""

    name = "bookings"

    def busy(self, coach_ids, low, high, *, now, exclude_booking_id=None):
        query = (select(Booking.coach_id, _instant(Booking.busy_from), _instant(Booking.busy_until),
                        Booking.consultation_type_id, Booking.slot_id, _instant(Booking.starts_at),
                        _instant(Booking.ends_at))
                 .where(Booking.coach_id.in_(coach_ids), holds_time(now), Booking.busy_from < high,
                        Booking.busy_until > low,
                        # the same bookings, in terms the (coach_id, starts_at) index can range-scan:
                        # no booking with its buffers lasts longer than a day
                        Booking.starts_at >= low - timedelta(days=1), Booking.starts_at < high + timedelta(days=1))
                 .order_by(Booking.coach_id, Booking.busy_from))
        if exclude_booking_id is not None:
            query = query.where(Booking.id != exclude_booking_id)
        result: dict[int, list[engine.BusyInterval]] = {}
        for coach_id, *fields in db.session.execute(query):
            result.setdefault(coach_id, []).append(engine.BusyInterval(*fields))
        return result

    def seats_held(self, slot_ids, *, now, exclude_booking_id=None):
        query = (select(Booking.slot_id, func.count()).where(Booking.slot_id.in_(slot_ids), holds_time(now))
                 .group_by(Booking.slot_id))
        if exclude_booking_id is not None:
            query = query.where(Booking.id != exclude_booking_id)
        return dict(db.session.execute(query).all())

    def slot_references(self, slot_id, *, open_only):
        query = select(func.count()).where(Booking.slot_id == slot_id)
        if open_only:
            query = query.where(Booking.status != "cancelled")
        return db.session.scalar(query) or 0

    def held_between(self, coach_id, low, high, *, now):
        return list(db.session.scalars(
            select(Booking.id).where(Booking.coach_id == coach_id, holds_time(now), Booking.starts_at >= low,
                                     Booking.starts_at < high).order_by(Booking.starts_at)))


def init_app(app: Flask) -> None:
    register_time_source(app, BookingTime())
