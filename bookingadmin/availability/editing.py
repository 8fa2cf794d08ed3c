"""Changing a coach's availability: weekly hours, date overrides, blocked dates (slots: slots.py).

Import these from `bookingadmin.availability.services`. Every function checks permission (a
coach edits only their own availability, an admin everyone's, `actor=None` is the system),
validates its input with errors naming the field, takes the coach's lock (core.locking) so an
edit and a booking cannot interleave, flushes without committing, and records an
AvailabilityChange. Hours may end at 24:00, written as an end of 00:00 (the engine's rule).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select

from ..auth.policy import allowed
from ..catalog.models import CoachProfile, coach_consultation_types
from ..core.errors import DomainError, NotFound, PermissionDenied
from ..core.locking import lock_coach_time
from ..extensions import db
from . import engine, sources
from .models import AvailabilityChange, DateOverride, WeeklyHours
from .wallclock import wall_seconds

MAX_BLOCK_DAYS = 366
REASON_LENGTH = 200


@dataclass(frozen=True)
class BlockResult:
    """Dates blocked, and the bookings already on them (they stay booked: cancel or move them)."""

    days: int
    affected_booking_ids: list[int]


# --------------------------------------------------------------------------- access


def can_manage_availability(actor, coach: CoachProfile) -> bool:
    """Whether `actor` may edit this coach's availability (the editor's buttons ask this too)."""
    return actor is None or allowed(actor, "availability.manage", coach)


def _managed_coach(coach_id: int, actor) -> CoachProfile:
    """The coach, after the permission check, with the coach's booked time locked.

    The lock is the one every writer of a coach's time takes (core.locking.lock_coach_time), so
    "does this slot have bookings?" and the change that depends on the answer are one step.
    """
    coach = db.session.get(CoachProfile, coach_id)
    if coach is None:
        raise NotFound.on_field("coach_id", "This coach does not exist")
    if not can_manage_availability(actor, coach):
        raise PermissionDenied("You can change only your own availability")
    lock_coach_time(coach.id)
    return coach


def _record(coach: CoachProfile, actor, action: str, summary: str, now: datetime, **data: Any) -> None:
    db.session.add(AvailabilityChange(coach_id=coach.id, actor_id=getattr(actor, "id", None), action=action,
                                      summary=summary[:300], data=_jsonable(data) or None, created_at=now))
    db.session.flush()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, time)):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------- weekly hours


def replace_weekly_hours(coach_id: int, intervals: Iterable[engine.WeeklyInterval], *, actor,
                         now: datetime) -> list[WeeklyHours]:
    """Make `intervals` the coach's whole weekly hours (several per weekday; the gaps are breaks).

    Each interval ends after it starts; intervals on one weekday may not overlap (touching is
    fine); type restrictions name types the coach offers. Nothing changes when any is wrong.
    """
    coach = _managed_coach(coach_id, actor)
    intervals = list(intervals)
    offered = _offered_types(coach.id)
    for index, interval in enumerate(intervals):
        _check_weekly_interval(index, interval, offered)
    _check_no_overlap([(i.weekday, i.start, i.end, n) for n, i in enumerate(intervals)])
    db.session.execute(delete(WeeklyHours).where(WeeklyHours.coach_id == coach.id))
    rows = [WeeklyHours(coach_id=coach.id, weekday=i.weekday, start_time=i.start, end_time=i.end,
                        consultation_type_ids=sorted(i.consultation_type_ids)
                        if i.consultation_type_ids is not None else None)
            for i in sorted(intervals, key=lambda i: (i.weekday, i.start))]
    db.session.add_all(rows)
    _record(coach, actor, "weekly_hours_replaced", f"Weekly hours set ({len(rows)} intervals)", now,
            intervals=[(r.weekday, r.start_time, r.end_time, r.consultation_type_ids) for r in rows])
    return rows


def _check_weekly_interval(index: int, interval: engine.WeeklyInterval, offered: set[int]) -> None:
    name = f"intervals[{index}]"
    if not isinstance(interval.weekday, int) or not 0 <= interval.weekday <= 6:
        raise DomainError.on_field(name, "The weekday must be Monday (0) to Sunday (6)")
    _check_order(name, interval.start, interval.end)
    types = interval.consultation_type_ids
    if types is not None:
        if not types:
            raise DomainError.on_field(name, "Choose at least one consultation type, or leave it open to all")
        unknown = set(types) - offered
        if unknown:
            raise DomainError.on_field(name, "The coach does not offer consultation type(s) "
                                             + ", ".join(str(t) for t in sorted(unknown)))


def _check_order(name: str, start: time, end: time) -> None:
    """An interval ends after it starts; an end of 00:00 is midnight at the end of the day (24:00)."""
    if wall_seconds(end, end=True) <= wall_seconds(start):
        raise DomainError.on_field(name, f"The end {clock(end, end=True)} must be after the start {clock(start)}")


def clock(moment: time, *, end: bool = False) -> str:
    """HH:MM as people write it; an end at midnight is 24:00."""
    return "24:00" if end and moment == time(0) else f"{moment:%H:%M}"


def _span(start: time, end: time) -> str:
    return f"{clock(start)}-{clock(end, end=True)}"


def _check_no_overlap(items: list[tuple[int, time, time, int]]) -> None:
    """(weekday, start, end, index): refuse two overlapping intervals on one weekday."""
    ordered = sorted(items, key=lambda i: (i[0], wall_seconds(i[1]), wall_seconds(i[2], end=True), i[3]))
    for (day_a, start_a, end_a, index_a), (day_b, start_b, end_b, index_b) in zip(ordered, ordered[1:]):
        if day_a == day_b and wall_seconds(start_b) < wall_seconds(end_a, end=True):
            raise DomainError.on_field(f"intervals[{max(index_a, index_b)}]",
                                       f"{_WEEKDAYS[day_a]} {_span(start_b, end_b)} overlaps {_span(start_a, end_a)}")


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _offered_types(coach_id: int) -> set[int]:
    return set(db.session.scalars(select(coach_consultation_types.c.consultation_type_id)
                                  .where(coach_consultation_types.c.coach_id == coach_id)))


# --------------------------------------------------------------------------- date overrides


def set_date_override(coach_id: int, day: date, hours: Sequence[tuple[time, time]], *, reason: str = "",
                      actor, now: datetime) -> list[DateOverride]:
    """Give one coach-local date its own hours instead of the weekly ones; no hours blocks the date.

    Replaces whatever override the date had. A blocked date offers nothing, slots included.
    """
    coach = _managed_coach(coach_id, actor)
    _check_not_past("day", day, coach, now)
    reason = _check_reason(reason)
    for index, (start, end) in enumerate(hours):
        _check_order(f"hours[{index}]", start, end)
    _check_no_overlap([(0, start, end, n) for n, (start, end) in enumerate(hours)])
    _delete_overrides(coach.id, day, day)
    if hours:
        rows = [DateOverride(coach_id=coach.id, day=day, blocked=False, start_time=start, end_time=end,
                             reason=reason) for start, end in sorted(hours)]
        summary = f"Custom hours on {day.isoformat()}: " + ", ".join(_span(s, e) for s, e in sorted(hours))
    else:
        rows = [DateOverride(coach_id=coach.id, day=day, blocked=True, reason=reason)]
        summary = f"Blocked {day.isoformat()}" + (f" ({reason})" if reason else "")
    db.session.add_all(rows)
    _record(coach, actor, "date_override_set", summary, now, day=day, hours=list(hours), reason=reason)
    return rows


def clear_date_override(coach_id: int, day: date, *, until: date | None = None, actor, now: datetime) -> int:
    """Back to the weekly hours on `day` (or on day..until); returns how many dates had an override."""
    coach = _managed_coach(coach_id, actor)
    until = until or day
    if until < day:
        raise DomainError.on_field("until", "The last date is before the first")
    count = db.session.scalar(select(func.count(func.distinct(DateOverride.day)))
                              .where(DateOverride.coach_id == coach.id, DateOverride.day.between(day, until)))
    _delete_overrides(coach.id, day, until)
    span = day.isoformat() if until == day else f"{day.isoformat()} to {until.isoformat()}"
    _record(coach, actor, "date_override_cleared", f"Weekly hours again on {span}", now, start=day, end=until)
    return count


def block_dates(coach_id: int, start: date, end: date, reason: str, *, actor, now: datetime) -> BlockResult:
    """Block every coach-local date start..end (leave, a holiday), replacing their overrides.

    Bookings already on those dates are not touched; their ids come back so the editor can
    tell the person to cancel or move them.
    """
    coach = _managed_coach(coach_id, actor)
    if end < start:
        raise DomainError.on_field("end", "The last date is before the first")
    if (end - start).days >= MAX_BLOCK_DAYS:
        raise DomainError.on_field("end", f"Block at most {MAX_BLOCK_DAYS} days at a time")
    _check_not_past("start", start, coach, now)
    reason = _check_reason(reason)
    _delete_overrides(coach.id, start, end)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    db.session.add_all(DateOverride(coach_id=coach.id, day=d, blocked=True, reason=reason) for d in days)
    affected = _bookings_on(coach, start, end, now)
    _record(coach, actor, "dates_blocked", f"Blocked {start.isoformat()} to {end.isoformat()}"
            + (f" ({reason})" if reason else ""), now, start=start, end=end, reason=reason,
            affected_booking_ids=affected)
    return BlockResult(len(days), affected)


def _delete_overrides(coach_id: int, start: date, end: date) -> None:
    db.session.execute(delete(DateOverride).where(DateOverride.coach_id == coach_id,
                                                  DateOverride.day.between(start, end)))


def bookings_left_on(coach_id: int, days: Iterable[date], *, now: datetime) -> list[int]:
    """Ids of the bookings (and holds) still holding the coach's time on these coach-local dates, by start.

    Blocking a date leaves them alone: this is the list to cancel or move.
    """
    coach = db.session.get(CoachProfile, coach_id)
    if coach is None:
        raise NotFound.on_field("coach_id", "This coach does not exist")
    runs: list[list[date]] = []  # consecutive dates, one query each
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [booking_id for first, last in runs for booking_id in _bookings_on(coach, first, last, now)]


def _bookings_on(coach: CoachProfile, start: date, end: date, now: datetime) -> list[int]:
    zone = ZoneInfo(coach.timezone)
    low = datetime.combine(start, time(0), tzinfo=zone)
    high = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone)
    return sources.held_between(coach.id, low, high, now=now)


def _check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_LENGTH:
        raise DomainError.on_field("reason", f"Keep the reason under {REASON_LENGTH} characters")
    return reason


def _coach_today(coach: CoachProfile, now: datetime) -> date:
    return now.astimezone(ZoneInfo(coach.timezone)).date()


def _check_not_past(name: str, day: date, coach: CoachProfile, now: datetime) -> None:
    if day < _coach_today(coach, now):
        raise DomainError.on_field(name, "This date has passed")
