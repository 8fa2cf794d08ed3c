"""Loading coaches' availability from the database into the engine's plain dataclasses.

Every loader here runs a fixed number of queries whatever the date range, the number of
bookings or the number of coaches (one query per table, `IN (...)` over the coaches): the
customer calendar and the 100-coach overview stay flat as data grows. Only columns are
selected, never ORM entities, so thousands of bookings cost tuples, not objects.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import DateTime, and_, func, or_, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from ..bookings.models import ACTIVE_STATUSES, Booking
from ..catalog.models import CoachProfile, ConsultationType, DurationOption
from ..core.clock import utcnow
from ..core.errors import NotFound
from ..extensions import db
from . import engine
from .models import DateOverride, Slot, WeeklyHours

# Busy intervals are loaded this far beyond the requested dates: it covers any zone's offset
# (UTC-12..UTC+14) plus a booking's length and buffers reaching over midnight.
LOAD_MARGIN = timedelta(days=2)


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
    """SQL: the booking keeps the coach's time at `now`.

    Active statuses do, except an unpaid hold whose time ran out (the hold sweep will cancel
    it; until then it must not hide the time from other customers).
    """
    return and_(
        Booking.status.in_(ACTIVE_STATUSES),
        or_(Booking.status != "pending_payment", Booking.hold_expires_at.is_(None),
            Booking.hold_expires_at > now),
    )


def slot_booked_counts(slot_ids: Iterable[int], *, now: datetime | None = None,
                       exclude_booking_id: int | None = None) -> dict[int, int]:
    """Seats taken per slot id, counted from the bookings holding time (one query).

    Slots nobody booked are in the answer with 0, so `counts[slot.id]` always works.
    """
    ids = list(slot_ids)
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    query = (select(Booking.slot_id, func.count()).where(Booking.slot_id.in_(ids), holds_time(now or utcnow()))
             .group_by(Booking.slot_id))
    if exclude_booking_id is not None:
        query = query.where(Booking.id != exclude_booking_id)
    counts.update(db.session.execute(query).all())
    return counts


def coach_schedule(coach_id: int, start: date, end: date, *, now: datetime | None = None,
                   exclude_booking_id: int | None = None) -> engine.CoachSchedule:
    """One coach's rules, overrides, slots and busy time for coach-local dates start..end.

    Five queries whatever the range. `exclude_booking_id` leaves one booking out of the busy
    time and the slot counts (rescheduling it must not collide with itself). `now` decides
    which unpaid holds have expired; it defaults to the clock.
    """
    schedules = coach_schedules([coach_id], start, end, now=now, exclude_booking_id=exclude_booking_id)
    if coach_id not in schedules:
        raise NotFound.on_field("coach_id", "This coach does not exist")
    return schedules[coach_id]


def coach_schedules(coach_ids: Iterable[int], start: date, end: date, *, now: datetime | None = None,
                    exclude_booking_id: int | None = None) -> dict[int, engine.CoachSchedule]:
    """`coach_schedule` for many coaches at once, in the same five queries. Unknown ids are absent."""
    ids = sorted(set(coach_ids))
    zones = dict(db.session.execute(
        select(CoachProfile.id, CoachProfile.timezone).where(CoachProfile.id.in_(ids))).all()) if ids else {}
    return schedules_for(zones, start, end, now=now, exclude_booking_id=exclude_booking_id)


def schedules_for(zones: dict[int, str], start: date, end: date, *, now: datetime | None = None,
                  exclude_booking_id: int | None = None) -> dict[int, engine.CoachSchedule]:
    """`coach_schedules` when the coaches' time zones are already known ({coach_id: zone}): four queries."""
    ids = sorted(zones)
    if not ids:
        return {}
    now = now or utcnow()
    weekly = _weekly(ids)
    overrides = _overrides(ids, start, end)
    slots = _slots(ids, start, end, now, exclude_booking_id)
    busy = _busy(ids, start, end, now, exclude_booking_id)
    return {i: engine.CoachSchedule(timezone=zones[i], weekly=tuple(weekly.get(i, ())),
                                    overrides=tuple(overrides.get(i, ())), slots=tuple(slots.get(i, ())),
                                    busy=tuple(busy.get(i, ())))
            for i in ids}


def _weekly(ids: list[int]) -> dict[int, list[engine.WeeklyInterval]]:
    rows = db.session.execute(
        select(WeeklyHours.coach_id, WeeklyHours.weekday, WeeklyHours.start_time, WeeklyHours.end_time,
               WeeklyHours.consultation_type_ids)
        .where(WeeklyHours.coach_id.in_(ids)).order_by(WeeklyHours.coach_id, WeeklyHours.weekday,
                                                       WeeklyHours.start_time))
    result: dict[int, list[engine.WeeklyInterval]] = {}
    for coach_id, weekday, start, end, types in rows:
        result.setdefault(coach_id, []).append(engine.WeeklyInterval(
            weekday, start, end, frozenset(types) if types is not None else None))
    return result


def _overrides(ids: list[int], start: date, end: date) -> dict[int, list[engine.DateOverride]]:
    rows = db.session.execute(
        select(DateOverride.coach_id, DateOverride.day, DateOverride.blocked, DateOverride.start_time,
               DateOverride.end_time, DateOverride.reason)
        .where(DateOverride.coach_id.in_(ids), DateOverride.day.between(start, end))
        .order_by(DateOverride.coach_id, DateOverride.day, DateOverride.start_time))
    result: dict[int, list[engine.DateOverride]] = {}
    for coach_id, day, blocked, start_time, end_time, reason in rows:
        hours = () if blocked else ((start_time, end_time),)
        result.setdefault(coach_id, []).append(engine.DateOverride(day, blocked, hours, reason or ""))
    return result


def _slots(ids: list[int], start: date, end: date, now: datetime,
           exclude_booking_id: int | None) -> dict[int, list[engine.SlotWindow]]:
    counted = [Booking.slot_id == Slot.id, holds_time(now)]
    if exclude_booking_id is not None:
        counted.append(Booking.id != exclude_booking_id)
    booked = select(func.count()).where(*counted).correlate(Slot).scalar_subquery()
    rows = db.session.execute(
        select(Slot.coach_id, Slot.id, Slot.day, Slot.start_time, Slot.end_time, Slot.capacity, booked,
               Slot.consultation_type_id, Slot.is_active)
        .where(Slot.coach_id.in_(ids), Slot.day.between(start, end))
        .order_by(Slot.coach_id, Slot.day, Slot.start_time))
    result: dict[int, list[engine.SlotWindow]] = {}
    for coach_id, *fields in rows:
        result.setdefault(coach_id, []).append(engine.SlotWindow(*fields))
    return result


def _busy(ids: list[int], start: date, end: date, now: datetime,
          exclude_booking_id: int | None) -> dict[int, list[engine.BusyInterval]]:
    """Bookings holding each coach's time near the dates; busy_from/busy_until include buffers."""
    low = datetime.combine(start, time(0), tzinfo=timezone.utc) - LOAD_MARGIN
    high = datetime.combine(end + timedelta(days=1), time(0), tzinfo=timezone.utc) + LOAD_MARGIN
    query = (select(Booking.coach_id, _instant(Booking.busy_from), _instant(Booking.busy_until),
                    Booking.consultation_type_id, Booking.slot_id, _instant(Booking.starts_at),
                    _instant(Booking.ends_at))
             .where(Booking.coach_id.in_(ids), holds_time(now), Booking.busy_from < high,
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


def type_settings(ctype: ConsultationType) -> engine.TypeSettings:
    """What the engine needs to know about a consultation type, prices from its duration options."""
    return engine.TypeSettings(
        id=ctype.id, capacity=ctype.capacity, buffer_before_minutes=ctype.buffer_before_minutes,
        buffer_after_minutes=ctype.buffer_after_minutes, min_notice_minutes=ctype.min_notice_minutes,
        horizon_days=ctype.horizon_days, max_bookings_per_day=ctype.max_bookings_per_day,
        step_minutes=ctype.slot_step_minutes, prices={o.minutes: o.price for o in ctype.duration_options},
        currency=ctype.currency)


_SETTINGS_COLUMNS = (ConsultationType.id, ConsultationType.capacity, ConsultationType.buffer_before_minutes,
                     ConsultationType.buffer_after_minutes, ConsultationType.min_notice_minutes,
                     ConsultationType.horizon_days, ConsultationType.max_bookings_per_day,
                     ConsultationType.slot_step_minutes, ConsultationType.currency, ConsultationType.is_active)


def load_type_settings(consultation_type_id: int) -> tuple[engine.TypeSettings, bool] | None:
    """(settings, is_active) of a consultation type in one query without loading the entity, or None."""
    rows = db.session.execute(
        select(*_SETTINGS_COLUMNS, DurationOption.minutes, DurationOption.price)
        .outerjoin(DurationOption, DurationOption.consultation_type_id == ConsultationType.id)
        .where(ConsultationType.id == consultation_type_id)).all()
    if not rows:
        return None
    (type_id, capacity, before, after, notice, horizon, per_day, step, currency, active, *_) = rows[0]
    prices = {minutes: price for *_, minutes, price in rows if minutes is not None}
    return engine.TypeSettings(
        id=type_id, capacity=capacity, buffer_before_minutes=before, buffer_after_minutes=after,
        min_notice_minutes=notice, horizon_days=horizon, max_bookings_per_day=per_day, step_minutes=step,
        prices=prices, currency=currency), active
