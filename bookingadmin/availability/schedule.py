"""Loading coaches' availability from the database into the engine's plain dataclasses.

Every loader here runs a fixed number of queries whatever the date range, the number of
bookings or the number of coaches (one query per table, `IN (...)` over the coaches): the
customer calendar and the 100-coach overview stay flat as data grows. Only columns are
selected, never ORM entities, so thousands of bookings cost tuples, not objects.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from ..catalog.models import CoachProfile, ConsultationType, DurationOption
from ..core.clock import utcnow
from ..core.errors import NotFound
from ..extensions import db
from . import engine, sources
from .models import DateOverride, Slot, WeeklyHours

# Busy intervals are loaded this far beyond the requested dates: it covers any zone's offset
# (UTC-12..UTC+14) plus a booking's length and buffers reaching over midnight.
LOAD_MARGIN = timedelta(days=2)


def slot_booked_counts(slot_ids: Iterable[int], *, now: datetime | None = None,
                       exclude_booking_id: int | None = None) -> dict[int, int]:
    """Seats held per slot id, asked of the registered time sources.

    Slots nobody booked are in the answer with 0, so `counts[slot.id]` always works.
    """
    return sources.seats_held(slot_ids, now=now or utcnow(), exclude_booking_id=exclude_booking_id)


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
    busy = _busy(ids, start, end, now, exclude_booking_id)
    slots = _slots(ids, start, end, busy)
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


def _slots(ids: list[int], start: date, end: date,
           busy: dict[int, list[engine.BusyInterval]]) -> dict[int, list[engine.SlotWindow]]:
    """The coaches' slots on the dates, with seats held counted from the busy time just loaded.

    A slot's holders start on the slot's own date, well inside the busy time's load margin.
    """
    held: dict[int, int] = {}
    for intervals in busy.values():
        for interval in intervals:
            if interval.slot_id is not None:
                held[interval.slot_id] = held.get(interval.slot_id, 0) + 1
    rows = db.session.execute(
        select(Slot.coach_id, Slot.id, Slot.day, Slot.start_time, Slot.end_time, Slot.capacity,
               Slot.consultation_type_id, Slot.is_active)
        .where(Slot.coach_id.in_(ids), Slot.day.between(start, end))
        .order_by(Slot.coach_id, Slot.day, Slot.start_time))
    result: dict[int, list[engine.SlotWindow]] = {}
    for coach_id, slot_id, day, start_time, end_time, capacity, type_id, active in rows:
        result.setdefault(coach_id, []).append(engine.SlotWindow(
            slot_id, day, start_time, end_time, capacity, held.get(slot_id, 0), type_id, active))
    return result


def _busy(ids: list[int], start: date, end: date, now: datetime,
          exclude_booking_id: int | None) -> dict[int, list[engine.BusyInterval]]:
    """Time held near the dates by every registered source (bookings, holds), widened by buffers."""
    low = datetime.combine(start, time(0), tzinfo=timezone.utc) - LOAD_MARGIN
    high = datetime.combine(end + timedelta(days=1), time(0), tzinfo=timezone.utc) + LOAD_MARGIN
    return sources.busy(ids, low, high, now=now, exclude_booking_id=exclude_booking_id)


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
