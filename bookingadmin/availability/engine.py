"""Pure availability engine: which times can a customer book with a coach?

No database, no Flask: the caller loads a coach's rules and bookings into the plain records
(records.py) and gets back bookable times (`bookable_times`, `available_dates`) or the coach's
working time by the same rules (`working_windows`, `free_windows`). Keeping this pure makes the hardest rules (DST, buffers,
group seats, per-day limits) testable by the thousand with property tests.

Time (DESIGN.md section 4). Working hours, overrides and slots are coach-local wall-clock
values expanded with ``zoneinfo`` in the coach's zone. A local time inside a DST gap does not
exist and is never offered; an ambiguous local time means its first occurrence (fold=0). A
booking is real elapsed time: 60 minutes across a DST change is 60 minutes. Results are in the
viewer's zone; which instants are offered never depends on it.

Rules, in the order a candidate meets them:

* Working windows of a coach-local date: its override if any (blocked: none, and its slots
  close too; otherwise its intervals), else that weekday's weekly intervals for this type.
  Overlapping or touching windows form one window. An end of 00:00 means midnight (24:00).
* Weekly-hours candidates start on the step grid of the coach's wall clock (minutes since
  local midnight divisible by the step) and end, in real time, by the window's end.
* An active slot of this type (or of any type) at least ``duration`` long, in real time,
  offers one time at its start, with ``capacity - booked`` seats; none when full.
* A candidate [s, e) is blocked when [s - buffer_before, e + buffer_after) overlaps a busy
  interval (half-open: touching is fine). A slot's own bookings (same slot_id) are its seats.
* Group types (capacity > 1): busy intervals of this type, not in a slot, with the same core
  start and end as a weekly-hours candidate are its seats, not conflicts; it is offered with
  the seats left. So a session is joinable where a new one could start (in hours, on grid).
* A coach-local date with ``max_bookings_per_day`` distinct core starts of this type is closed.
* Starts lie in [now + min_notice, now + horizon_days] (never in the past).
* When a slot and the weekly hours offer the same instant, the slot's offer is kept.

Working windows (the calendar's free hours, utilization) follow the first rule and the time
rules above: a window starting inside a DST gap begins at the first instant after the gap
(where the first start is offered), one ending in a gap ends there; active slots whose start
exists add their time. Notice, horizon and daily limits decide starts, not working time.

How (candidates.py, wallclock.py): every instant is an integer of UTC epoch seconds. Busy
intervals become merged ranges of forbidden starts, subtracted from each working window with a
bisect-and-merge walk; the grid is stepped only through what is left. Days with a DST change
take a slower wall-clock path.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone

from .candidates import Context, iter_starts, preferred
from .records import (
    ALLOWED_STEPS, BookableTime, BusyInterval, CoachSchedule, DateOverride, EngineError, SlotWindow,
    TypeSettings, WeeklyInterval,
)
from .wallclock import (
    Range, ceil_instant, day_start, epoch, merge, override_windows, real_instant, slots_by_day, weekly_windows,
    zone_of,
)

__all__ = [
    "ALLOWED_STEPS", "BookableTime", "BusyInterval", "CoachSchedule", "DateOverride",
    "EngineError", "SlotWindow", "TypeSettings", "WeeklyInterval", "available_dates",
    "bookable_times", "free_windows", "minutes", "working_windows",
]

Interval = tuple[datetime, datetime]  # aware UTC, half-open


def bookable_times(schedule: CoachSchedule, settings: TypeSettings, duration_minutes: int,
                   start_date: date, end_date: date, viewer_tz: str,
                   now: datetime) -> list[BookableTime]:
    """Every bookable time whose start falls on the viewer's dates start_date..end_date.

    The window is [start_date 00:00, end_date+1 00:00) on the viewer's wall clock, so any
    viewer zone sees the same instants. The rules are listed in the module docstring.
    Sorted by start, one entry per instant; raises EngineError on bad input.
    """
    if end_date < start_date:
        raise EngineError(f"end_date {end_date} is before start_date {start_date}")
    ctx = Context.build(schedule, settings, duration_minutes, now)
    viewer = zone_of(viewer_tz)
    lo = max(ctx.earliest, day_start(viewer, start_date))
    hi = min(ctx.latest, day_start(viewer, end_date, days=1) - 1)
    offers: dict[int, tuple[int, int | None]] = {}
    for start, remaining, slot_id in iter_starts(ctx, lo, hi):
        offer = (remaining, slot_id)
        offers[start] = preferred(offers[start], offer) if start in offers else offer
    return ctx.bookable(offers, viewer)


def available_dates(schedule: CoachSchedule, settings: TypeSettings, duration_minutes: int,
                    year: int, month: int, viewer_tz: str, now: datetime) -> list[date]:
    """The viewer-local dates of the month that have at least one bookable time.

    Exactly the dates D for which ``bookable_times(..., D, D, ...)`` is non-empty, but each date
    stops at its first bookable time, so a month calendar stays cheap.
    """
    if not (1 <= month <= 12 and 1 <= year <= 9998):
        raise EngineError(f"no such month: {year}-{month}")
    ctx = Context.build(schedule, settings, duration_minutes, now)
    viewer = zone_of(viewer_tz)
    day, found = date(year, month, 1), []
    next_start = day_start(viewer, day)
    while day.month == month:
        start, next_start = next_start, day_start(viewer, day, days=1)
        lo, hi = max(ctx.earliest, start), min(ctx.latest, next_start - 1)
        if lo <= hi and next(iter_starts(ctx, lo, hi), None) is not None:
            found.append(day)
        day += timedelta(days=1)
    return found


def working_windows(schedule: CoachSchedule, start_date: date, end_date: date,
                    consultation_type_id: int | None = None) -> dict[date, list[Interval]]:
    """Coach-local dates start_date..end_date → the merged UTC intervals the coach works (absent: none)."""
    zone = zone_of(schedule.timezone)
    weekly = weekly_windows(schedule.weekly, consultation_type_id)
    overrides = override_windows(schedule.overrides)
    slots = slots_by_day(schedule.slots, consultation_type_id)
    result: dict[date, list[Interval]] = {}
    day = start_date
    while day <= end_date:
        hours = overrides.get(day, weekly[day.weekday()])
        if hours is not None:
            ranges = [(ceil_instant(zone, day, first), ceil_instant(zone, day, last)) for first, last in hours]
            ranges += [(start, ceil_instant(zone, day, last)) for _, (first, last) in slots.get(day, [])
                       if (start := real_instant(zone, day, first)) is not None]
            merged = merge(r for r in ranges if r[0] < r[1])
            if merged:
                result[day] = [(_utc(first), _utc(last)) for first, last in merged]
        day += timedelta(days=1)
    return result


def free_windows(schedule: CoachSchedule, start_date: date, end_date: date,
                 consultation_type_id: int | None = None) -> list[Interval]:
    """The working windows of those dates minus the schedule's busy time (widened by buffers), sorted."""
    windows = [(epoch(a), epoch(b)) for day in working_windows(schedule, start_date, end_date,
                                                               consultation_type_id).values() for a, b in day]
    busy = merge((epoch(b.starts_at), epoch(b.ends_at, ceil=True)) for b in schedule.busy)
    return [(_utc(a), _utc(b)) for a, b in _subtract(merge(windows), busy)]


def minutes(intervals: Iterable[Interval]) -> int:
    """Whole minutes of real time in the intervals."""
    return int(sum((end - start).total_seconds() for start, end in intervals) // 60)


def _subtract(windows: list[Range], busy: list[Range]) -> list[Range]:
    """Parts of sorted, merged `windows` not covered by sorted, merged `busy`: one merge walk."""
    free: list[Range] = []
    index = 0
    for first, last in windows:
        while index < len(busy) and busy[index][1] <= first:
            index += 1
        cursor, scan = first, index
        while scan < len(busy) and busy[scan][0] < last:
            if busy[scan][0] > cursor:
                free.append((cursor, busy[scan][0]))
            cursor = max(cursor, busy[scan][1])
            scan += 1
        if cursor < last:
            free.append((cursor, last))
    return free


def _utc(instant: int) -> datetime:
    return datetime.fromtimestamp(instant, timezone.utc)
