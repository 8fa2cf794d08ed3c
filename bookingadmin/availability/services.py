"""Availability as the rest of the app asks for it: what can be booked, and is this one time bookable.

This module is the one import path for availability services. It wraps the pure engine
(engine.py) with database loading (schedule.py) and the catalog's rules, and re-exports the
editing services (editing.py, slots.py) that coaches and admins use to change weekly hours,
date overrides and slots.

How the sources combine (the engine decides; see README "Availability"):
* weekly hours give working windows per weekday in the coach's zone, possibly limited to
  some consultation types; a date override replaces them for one date (custom hours) or
  blocks the date entirely (slots included);
* explicit slots add one start each, with their own seats;
* time held by the sources other domains register (sources.py: bookings and their unexpired
  payment holds, widened by their buffers) is taken away; the type's notice, horizon, step and
  daily limit apply on top.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..catalog.models import CoachProfile, coach_consultation_types
from ..core.errors import Conflict, DomainError
from ..core.validation import is_timezone
from ..extensions import db
from . import engine
from .editing import (  # noqa: F401  (re-exported: the public editing services)
    BlockResult, block_dates, bookings_left_on, can_manage_availability, clear_date_override, replace_weekly_hours,
    set_date_override,
)
from .engine import BookableTime
from .models import Slot
from .schedule import (  # noqa: F401  (coach_schedule(s) and slot_booked_counts are public here)
    LOAD_MARGIN, coach_schedule, coach_schedules, load_type_settings, schedules_for, slot_booked_counts,
    type_settings,
)
from .slots import (  # noqa: F401  (re-exported: the public slot services)
    KEEP, BulkSlotsResult, SlotSummary, create_slot, create_slots_in_bulk, delete_slot, list_slots, update_slot,
)

__all__ = [
    # reading
    "BookableTime", "available_dates", "available_dates_by_coach", "bookable_times", "check_bookable",
    "coach_schedule", "coach_schedules", "free_time", "load_type_settings", "schedules_for", "slot_booked_counts",
    "type_settings", "working_time",
    # editing
    "KEEP", "BlockResult", "BulkSlotsResult", "SlotSummary", "block_dates", "bookings_left_on", "can_manage_availability",
    "clear_date_override", "create_slot", "create_slots_in_bulk", "delete_slot", "list_slots",
    "replace_weekly_hours", "set_date_override", "update_slot",
]

MAX_RANGE_DAYS = 93  # the longest date range one request may ask times for


@dataclass(frozen=True)
class _Offer:
    """A coach who offers a type, with the type's engine settings."""

    coach_id: int
    timezone: str
    settings: engine.TypeSettings


# --------------------------------------------------------------------------- reading


def bookable_times(*, coach_id: int, consultation_type_id: int, duration_minutes: int, start: date, end: date,
                   viewer_tz: str, now: datetime, exclude_booking_id: int | None = None) -> list[BookableTime]:
    """Every time the coach can be booked for this type and duration, on the viewer's dates start..end.

    Times are in the viewer's zone (their instants do not depend on it). Raises DomainError
    naming the field for an unknown or unoffered type, an unsold duration, an inactive coach,
    a bad zone or a range longer than MAX_RANGE_DAYS. A constant number of queries.
    """
    _check_zone(viewer_tz)
    if end < start:
        raise DomainError.on_field("end", "The end date is before the start date")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise DomainError.on_field("end", f"Ask for at most {MAX_RANGE_DAYS} days at a time")
    offer = _offer(coach_id, consultation_type_id, duration_minutes)
    span = _load_span(start, end, offer.settings, now)
    if span is None:
        return []
    schedule = _schedule(offer, span, now, exclude_booking_id)
    return engine.bookable_times(schedule, offer.settings, duration_minutes, start, end, viewer_tz, now)


def available_dates(*, coach_id: int, consultation_type_id: int, duration_minutes: int, year: int, month: int,
                    viewer_tz: str, now: datetime) -> list[date]:
    """The viewer-local dates of a month with at least one bookable time (the calendar's green days)."""
    first, last = _month(year, month)
    _check_zone(viewer_tz)
    offer = _offer(coach_id, consultation_type_id, duration_minutes)
    span = _load_span(first, last, offer.settings, now)
    if span is None:
        return []
    schedule = _schedule(offer, span, now)
    return engine.available_dates(schedule, offer.settings, duration_minutes, year, month, viewer_tz, now)


def available_dates_by_coach(*, coach_ids: Iterable[int], consultation_type_id: int, duration_minutes: int,
                             year: int, month: int, viewer_tz: str, now: datetime) -> dict[int, list[date]]:
    """`available_dates` for many coaches in one go (the "who is free this month" overview).

    Coaches that are inactive or do not offer the type are left out. Loads everyone's data in
    the same constant number of queries as one coach.
    """
    first, last = _month(year, month)
    _check_zone(viewer_tz)
    settings = _bookable_type(consultation_type_id)
    _check_duration(settings, duration_minutes)
    coaches = _offering_coaches(coach_ids, consultation_type_id)
    span = _load_span(first, last, settings, now)
    if span is None or not coaches:
        return {coach_id: [] for coach_id in coaches}
    schedules = schedules_for(coaches, *span, now=now)
    return {coach_id: engine.available_dates(schedules[coach_id], settings, duration_minutes, year, month,
                                             viewer_tz, now)
            for coach_id in coaches}


def check_bookable(*, coach_id: int, consultation_type_id: int, duration_minutes: int, starts_at: datetime,
                   now: datetime, slot_id: int | None = None,
                   exclude_booking_id: int | None = None) -> BookableTime:
    """Confirm that one start is offered right now; the answer's times are in UTC.

    The returned BookableTime carries the price, the seats left and the slot the booking
    belongs to (`slot_id`, also when the caller gave none and the time comes from a slot).
    Otherwise raises DomainError naming the field: consultation_type_id (unknown, inactive,
    not offered by this coach), coach_id (unknown or inactive), duration_minutes (not sold),
    slot_id (unknown, closed, for another type), starts_at (in the past, too soon, beyond the
    horizon, not a time the coach offers); Conflict(code="slot_taken") when the time or the
    slot's seats were taken by other bookings. `exclude_booking_id` ignores one booking (the
    one being rescheduled). This is the one bookability check: every writer takes
    core.locking.lock_coach_time(coach_id) first, so the answer stays true until its commit.
    """
    offer = _offer(coach_id, consultation_type_id, duration_minutes)
    _check_start(starts_at, offer.settings, now)
    day = starts_at.astimezone(timezone.utc).date()
    schedule = _schedule(offer, (day - LOAD_MARGIN, day + LOAD_MARGIN), now, exclude_booking_id)
    if slot_id is not None:
        schedule = _only_slot(schedule, slot_id, offer, duration_minutes, starts_at)
    found = _offered_at(schedule, offer, duration_minutes, starts_at, now)
    if found is not None:
        return found
    free = dataclasses.replace(schedule, busy=(), slots=tuple(dataclasses.replace(s, booked=0)
                                                              for s in schedule.slots))
    if _offered_at(free, offer, duration_minutes, starts_at, now) is not None:
        raise Conflict("This time has just been taken. Please choose another time.",
                       fields={"starts_at": "This time has just been taken"}, code="slot_taken")
    raise DomainError.on_field("starts_at", "The coach is not available at this time")


def working_time(coach_ids: Iterable[int], first: date, last: date, *,
                 now: datetime) -> dict[int, dict[date, list[engine.Interval]]]:
    """Per coach, the UTC intervals worked on each coach-local date first..last (engine.working_windows)."""
    schedules = coach_schedules(coach_ids, first, last, now=now)
    return {coach_id: engine.working_windows(schedule, first, last) for coach_id, schedule in schedules.items()}


def free_time(coach_ids: Iterable[int], first: date, last: date, *, now: datetime) -> dict[int, list[engine.Interval]]:
    """Per coach, the working time of coach-local dates first..last that nothing holds at `now`."""
    schedules = coach_schedules(coach_ids, first, last, now=now)
    return {coach_id: engine.free_windows(schedule, first, last) for coach_id, schedule in schedules.items()}


# --------------------------------------------------------------------------- helpers


def _schedule(offer: _Offer, span: tuple[date, date], now: datetime,
              exclude_booking_id: int | None = None) -> engine.CoachSchedule:
    return schedules_for({offer.coach_id: offer.timezone}, *span, now=now,
                         exclude_booking_id=exclude_booking_id)[offer.coach_id]


def _offered_at(schedule: engine.CoachSchedule, offer: _Offer, duration_minutes: int, starts_at: datetime,
                now: datetime) -> BookableTime | None:
    day = starts_at.astimezone(timezone.utc).date()
    times = engine.bookable_times(schedule, offer.settings, duration_minutes, day, day, "UTC", now)
    return next((t for t in times if t.starts_at == starts_at), None)


def _only_slot(schedule: engine.CoachSchedule, slot_id: int, offer: _Offer, duration_minutes: int,
               starts_at: datetime) -> engine.CoachSchedule:
    """The schedule reduced to one slot (blocked dates still apply), after checking the slot itself."""
    slot = db.session.get(Slot, slot_id)
    if slot is None or slot.coach_id != offer.coach_id:
        raise DomainError.on_field("slot_id", "This slot does not exist")
    if not slot.is_active:
        raise DomainError.on_field("slot_id", "This slot is closed for booking")
    if slot.consultation_type_id not in (None, offer.settings.id):
        raise DomainError.on_field("slot_id", "This slot is for another consultation type")
    window = next((s for s in schedule.slots if s.id == slot_id), None)
    if window is None or _slot_start(window, offer.timezone) != starts_at:
        raise DomainError.on_field("starts_at", f"Slot {slot_id} does not start at this time")
    length = _minutes_between(window, offer.timezone)
    if length < duration_minutes:
        raise DomainError.on_field("duration_minutes", f"This slot is only {length} minutes long")
    if window.booked >= window.capacity:
        raise Conflict("This slot is full. Please choose another time.", fields={"slot_id": "This slot is full"},
                       code="slot_taken")
    blocked = tuple(o for o in schedule.overrides if o.blocked)
    return dataclasses.replace(schedule, weekly=(), overrides=blocked, slots=(window,))


def _slot_start(window: engine.SlotWindow, zone: str) -> datetime:
    return datetime.combine(window.day, window.start, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)


def _minutes_between(window: engine.SlotWindow, zone: str) -> int:
    tz = ZoneInfo(zone)
    start = datetime.combine(window.day, window.start, tzinfo=tz)
    end = datetime.combine(window.day, window.end, tzinfo=tz)
    return int((end.astimezone(timezone.utc) - start.astimezone(timezone.utc)).total_seconds() // 60)


def _offer(coach_id: int, consultation_type_id: int, duration_minutes: int) -> _Offer:
    """The coach and type, checked: both active, the coach offers the type, the duration is sold."""
    settings = _bookable_type(consultation_type_id)
    coach = db.session.execute(
        select(CoachProfile.id, CoachProfile.timezone, CoachProfile.is_active, _offers(consultation_type_id))
        .where(CoachProfile.id == coach_id)).first()
    if coach is None or not coach.is_active:
        raise DomainError.on_field("coach_id", "This coach is not taking bookings")
    if not coach.offers:
        raise DomainError.on_field("consultation_type_id", "This coach does not offer this consultation")
    _check_duration(settings, duration_minutes)
    return _Offer(coach.id, coach.timezone, settings)


def _bookable_type(consultation_type_id: int) -> engine.TypeSettings:
    loaded = load_type_settings(consultation_type_id)
    if loaded is None:
        raise DomainError.on_field("consultation_type_id", "This consultation type does not exist")
    settings, active = loaded
    if not active or not settings.prices:
        raise DomainError.on_field("consultation_type_id", "This consultation type is not open for booking")
    return settings


def _offers(consultation_type_id: int):
    return (select(coach_consultation_types.c.coach_id)
            .where(coach_consultation_types.c.coach_id == CoachProfile.id,
                   coach_consultation_types.c.consultation_type_id == consultation_type_id)
            .exists().label("offers"))


def _offering_coaches(coach_ids: Iterable[int], consultation_type_id: int) -> dict[int, str]:
    """{coach id: time zone} of the active coaches among coach_ids who offer the type."""
    return dict(db.session.execute(
        select(CoachProfile.id, CoachProfile.timezone)
        .where(CoachProfile.id.in_(list(coach_ids)), CoachProfile.is_active, _offers(consultation_type_id))
        .order_by(CoachProfile.id)).all())


def _check_duration(settings: engine.TypeSettings, duration_minutes: int) -> None:
    if duration_minutes not in settings.prices:
        offered = " or ".join(str(m) for m in sorted(settings.prices))
        raise DomainError.on_field("duration_minutes",
                                   f"{duration_minutes} minutes is not offered; choose {offered} minutes")


def _check_zone(viewer_tz: str) -> None:
    if not is_timezone(viewer_tz):
        raise DomainError.on_field("viewer_tz", f"{viewer_tz!r} is not a time zone such as Europe/London")


def _check_start(starts_at: datetime, settings: engine.TypeSettings, now: datetime) -> None:
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise DomainError.on_field("starts_at", "Give the start time with its time zone")
    if starts_at <= now:
        raise DomainError.on_field("starts_at", "This time is in the past")
    if starts_at < now + timedelta(minutes=settings.min_notice_minutes):
        raise DomainError.on_field("starts_at",
                                   f"Book at least {_duration_text(settings.min_notice_minutes)} ahead")
    if starts_at > now + timedelta(days=settings.horizon_days):
        raise DomainError.on_field("starts_at",
                                   f"Bookings open at most {settings.horizon_days} days ahead")


def _duration_text(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minutes"


def _month(year: int, month: int) -> tuple[date, date]:
    if not 1 <= month <= 12:
        raise DomainError.on_field("month", "The month must be 1 to 12")
    if not 2000 <= year <= 2200:
        raise DomainError.on_field("year", "This year is out of range")
    first = date(year, month, 1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _load_span(start: date, end: date, settings: engine.TypeSettings, now: datetime) -> tuple[date, date] | None:
    """The coach-local dates worth loading for the viewer's dates start..end, or None when none can be booked.

    A viewer's date can touch the coach's dates either side (zones differ by up to 26 hours);
    nothing before now or past the horizon can be booked.
    """
    today = now.astimezone(timezone.utc).date()
    low = max(start - LOAD_MARGIN, today - timedelta(days=1))
    high = min(end + LOAD_MARGIN, today + timedelta(days=settings.horizon_days + 1))
    return (low, high) if low <= high else None
