"""Pure availability engine: which times can a customer book with a coach?

No database, no Flask: the caller loads a coach's rules and bookings into the plain dataclasses
below and gets back bookable times. Keeping this pure makes the hardest rules (DST, buffers,
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

How: every instant is an integer of UTC epoch seconds. Busy intervals become merged ranges of
forbidden starts, subtracted from each working window with a bisect-and-merge walk; the grid is
stepped only through what is left. Days with a DST change take a slower wall-clock path.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "ALLOWED_STEPS", "BookableTime", "BusyInterval", "CoachSchedule", "DateOverride",
    "EngineError", "SlotWindow", "TypeSettings", "WeeklyInterval", "available_dates",
    "bookable_times",
]

ALLOWED_STEPS = frozenset({5, 10, 15, 30, 60})
_DAY = 86_400
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_ONE_SECOND = timedelta(seconds=1)

Range = tuple[int, int]  # a pair of integer seconds: epoch or since local midnight


class EngineError(ValueError):
    """Input the engine cannot answer for: an unknown zone, an unsold duration, a bad step."""


# --------------------------------------------------------------------------- input / output


@dataclass(frozen=True)
class WeeklyInterval:
    """Recurring working hours on the coach's wall clock.

    ``end`` must be after ``start``; ``end == time(0)`` means midnight at the end of the day,
    so a coach can work until 24:00.
    """

    weekday: int  # 0=Monday .. 6=Sunday
    start: time
    end: time
    consultation_type_ids: frozenset[int] | None = None  # None = all types


@dataclass(frozen=True)
class DateOverride:
    """One coach-local date: blocked entirely, or custom hours replacing the weekly hours.

    A blocked date offers nothing, explicit slots included (holiday, leave). Several overrides
    for one date combine: any blocked one blocks it, otherwise their intervals are united.
    """

    day: date
    blocked: bool
    intervals: tuple[tuple[time, time], ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class SlotWindow:
    """An explicit slot the coach created (coach-local date and times)."""

    id: int
    day: date
    start: time
    end: time  # time(0) = midnight at the end of the day
    capacity: int
    booked: int  # active bookings already in this slot
    consultation_type_id: int | None = None  # None = any type
    active: bool = True


@dataclass(frozen=True)
class BusyInterval:
    """An active booking (or unexpired payment hold) of this coach, in tz-aware UTC.

    ``starts_at``/``ends_at`` are already widened by that booking's own buffers; ``core_*`` is
    the real, unwidened time (defaults to the widened one when not given).
    """

    starts_at: datetime
    ends_at: datetime
    consultation_type_id: int | None = None
    slot_id: int | None = None
    core_starts_at: datetime | None = None
    core_ends_at: datetime | None = None


@dataclass(frozen=True)
class TypeSettings:
    """The consultation type being booked: its rules and its price list."""

    id: int
    capacity: int = 1  # >1 = group
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    min_notice_minutes: int = 0
    horizon_days: int = 60
    max_bookings_per_day: int | None = None  # per coach per coach-local date, for this type
    step_minutes: int = 15  # one of ALLOWED_STEPS
    prices: dict[int, Decimal] = field(default_factory=dict)  # duration minutes -> price
    currency: str = "USD"


@dataclass(frozen=True)
class CoachSchedule:
    """Everything the engine needs to know about one coach."""

    timezone: str  # IANA name
    weekly: tuple[WeeklyInterval, ...] = ()
    overrides: tuple[DateOverride, ...] = ()
    slots: tuple[SlotWindow, ...] = ()
    busy: tuple[BusyInterval, ...] = ()


@dataclass(frozen=True)
class BookableTime:
    """One time a customer may book, in the viewer's zone.

    ``ends_at - starts_at`` is wall-clock arithmetic in Python when both share a tzinfo; across
    a DST change measure the length in UTC (it is always the requested duration).
    """

    starts_at: datetime
    ends_at: datetime
    price: Decimal
    currency: str
    remaining: int  # seats left (1 for one-to-one)
    slot_id: int | None  # set when offered from an explicit slot


_Slot = tuple[SlotWindow, Range]  # a slot and its wall-clock range


# --------------------------------------------------------------------------- public API


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
    ctx = _Context.build(schedule, settings, duration_minutes, now)
    viewer = _zone(viewer_tz)
    lo = max(ctx.earliest, _day_start(viewer, start_date))
    hi = min(ctx.latest, _day_start(viewer, end_date, days=1) - 1)
    offers: dict[int, tuple[int, int | None]] = {}
    for start, remaining, slot_id in _iter_starts(ctx, lo, hi):
        offer = (remaining, slot_id)
        offers[start] = _preferred(offers[start], offer) if start in offers else offer
    return ctx.bookable(offers, viewer)


def available_dates(schedule: CoachSchedule, settings: TypeSettings, duration_minutes: int,
                    year: int, month: int, viewer_tz: str, now: datetime) -> list[date]:
    """The viewer-local dates of the month that have at least one bookable time.

    Exactly the dates D for which ``bookable_times(..., D, D, ...)`` is non-empty, but each date
    stops at its first bookable time, so a month calendar stays cheap.
    """
    if not (1 <= month <= 12 and 1 <= year <= 9998):
        raise EngineError(f"no such month: {year}-{month}")
    ctx = _Context.build(schedule, settings, duration_minutes, now)
    viewer = _zone(viewer_tz)
    day, found = date(year, month, 1), []
    next_start = _day_start(viewer, day)
    while day.month == month:
        start, next_start = next_start, _day_start(viewer, day, days=1)
        lo, hi = max(ctx.earliest, start), min(ctx.latest, next_start - 1)
        if lo <= hi and next(_iter_starts(ctx, lo, hi), None) is not None:
            found.append(day)
        day += timedelta(days=1)
    return found


# --------------------------------------------------------------------------- zones and instants


def _zone(name: str) -> ZoneInfo:
    """The IANA zone, or EngineError: a typo in a zone name must not become a 500."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise EngineError(f"unknown time zone {name!r}") from exc


def _epoch(moment: datetime, *, ceil: bool = False) -> int:
    """Integer epoch seconds of an aware datetime, rounded down (or up)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise EngineError(f"datetime {moment.isoformat()} must be timezone-aware")
    if ceil:
        return -((_EPOCH - moment) // _ONE_SECOND)
    return (moment - _EPOCH) // _ONE_SECOND


def _naive(day: date, seconds: int) -> datetime:
    """The coach-local wall clock ``seconds`` after midnight of ``day`` (may be the next day)."""
    return datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)


def _day_start(zone: ZoneInfo, day: date, days: int = 0) -> int:
    """First instant of the local date ``days`` after ``day``: its 00:00.

    fold=0, so when midnight falls in a DST gap the date starts at the jump.
    """
    try:
        day += timedelta(days=days)
        return _epoch(datetime(day.year, day.month, day.day, tzinfo=zone))
    except OverflowError as exc:
        raise EngineError(f"date {day} is out of range") from exc


def _real_instant(zone: ZoneInfo, day: date, seconds: int) -> int | None:
    """The instant of a wall time (first occurrence), or None when it falls in a DST gap."""
    wall = _naive(day, seconds)
    instant = _epoch(wall.replace(tzinfo=zone))
    if datetime.fromtimestamp(instant, zone).replace(tzinfo=None) != wall:
        return None
    return instant


def _ceil_instant(zone: ZoneInfo, day: date, seconds: int) -> int:
    """The first instant whose wall clock reaches a wall time: the transition for a gap time."""
    real = _real_instant(zone, day, seconds)
    if real is not None:
        return real
    wall = _naive(day, seconds)
    low = _epoch(wall.replace(tzinfo=zone, fold=1))  # before the jump
    high = _epoch(wall.replace(tzinfo=zone, fold=0))  # after the jump
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high


def _wall_range(start: time, end: time, what: str) -> Range:
    """Seconds since local midnight as a half-open pair; end 00:00 means 24:00."""
    first = start.hour * 3600 + start.minute * 60 + start.second + (start.microsecond > 0)
    last = _DAY if end == time(0) else end.hour * 3600 + end.minute * 60 + end.second
    if last <= first:
        raise EngineError(f"{what}: end {end} must be after start {start}")
    return first, last


# --------------------------------------------------------------------------- range arithmetic


def _merge(ranges: Iterable[Range], *, gap: int = 0) -> list[Range]:
    """Union of ranges, sorted; ranges at most ``gap`` apart are joined."""
    merged: list[Range] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + gap:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return merged


class _Forbidden:
    """Merged closed ranges of start instants that some busy interval rules out."""

    def __init__(self, ranges: Iterable[Range]) -> None:
        merged = _merge(ranges, gap=1)
        self.firsts = [first for first, _ in merged]
        self.lasts = [last for _, last in merged]

    def __contains__(self, start: int) -> bool:
        index = bisect_right(self.firsts, start) - 1
        return index >= 0 and self.lasts[index] >= start

    def free(self, first: int, last: int) -> Iterator[Range]:
        """The parts of [first, last] not forbidden: a merge walk, not a scan."""
        index = bisect_left(self.lasts, first)
        while index < len(self.firsts) and self.firsts[index] <= last:
            if self.firsts[index] > first:
                yield first, self.firsts[index] - 1
            first = self.lasts[index] + 1
            index += 1
        if first <= last:
            yield first, last


# --------------------------------------------------------------------------- prepared context


@dataclass
class _Day:
    """One coach-local date, prepared: its working windows, its slots and its UTC offset."""

    day: date
    windows: list[Range]  # merged, half-open, in seconds since local midnight
    slots: list[_Slot]
    base: int | None  # epoch of local midnight when the offset is constant all day, else None


@dataclass
class _Context:
    """A request's inputs turned into sorted integer structures, built once per call."""

    zone: ZoneInfo
    settings: TypeSettings
    duration: int  # seconds
    step: int  # seconds
    before: int
    after: int
    price: Decimal
    earliest: int  # first allowed start: now + min notice
    latest: int  # last allowed start: now + horizon
    forbidden: _Forbidden
    seats: dict[int, int]  # group session start -> seats taken
    busy: list[tuple[int, int, int | None]]  # (start, end, slot_id) sorted by start
    busy_starts: list[int]
    longest_busy: int
    weekly: list[list[Range]]  # by weekday
    overrides: dict[date, list[Range] | None]  # None = blocked
    slots: dict[date, list[_Slot]]
    full_days: set[date]
    days: dict[int, _Day] = field(default_factory=dict)

    @classmethod
    def build(cls, schedule: CoachSchedule, settings: TypeSettings, duration_minutes: int,
              now: datetime) -> _Context:
        """Validate the request and prepare everything that does not depend on the date."""
        _check_settings(settings, duration_minutes)
        zone = _zone(schedule.timezone)
        duration = duration_minutes * 60
        before, after = settings.buffer_before_minutes * 60, settings.buffer_after_minutes * 60
        busy = _busy_ranges(schedule.busy, settings, duration)
        now_floor, now_ceil = _epoch(now), _epoch(now, ceil=True)
        return cls(
            zone=zone, settings=settings, duration=duration, step=settings.step_minutes * 60,
            before=before, after=after, price=settings.prices[duration_minutes],
            earliest=now_ceil + settings.min_notice_minutes * 60,
            latest=now_floor + settings.horizon_days * _DAY,
            forbidden=_forbidden(busy, duration, before, after), seats=_seats(busy),
            busy=[b[:3] for b in busy], busy_starts=[b[0] for b in busy],
            longest_busy=max((b[1] - b[0] for b in busy), default=0),
            weekly=_weekly(schedule.weekly, settings.id), overrides=_overrides(schedule.overrides),
            slots=_slots(schedule.slots, settings.id),
            full_days=_full_days(schedule.busy, settings, zone),
        )

    def day_plan(self, ordinal: int) -> _Day:
        """The prepared coach-local date, cached for the call."""
        plan = self.days.get(ordinal)
        if plan is None:
            plan = self.days[ordinal] = self._plan(date.fromordinal(ordinal))
        return plan

    def _plan(self, day: date) -> _Day:
        windows = self.overrides.get(day, self.weekly[day.weekday()])
        slots = self.slots.get(day, [])
        if windows is None or day in self.full_days or not (windows or slots):
            return _Day(day, [], [], None)
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.zone)
        next_midnight = (midnight + timedelta(days=1)).replace(fold=1)
        offset = midnight.utcoffset() or timedelta(0)  # never None for a ZoneInfo
        # The same offset at both midnights means no transition today (fold=1 catches a gap
        # that straddles midnight). Two changes cancelling out within one day do not happen.
        constant = offset == next_midnight.utcoffset()
        base = (day.toordinal() - _EPOCH_ORDINAL) * _DAY - offset // _ONE_SECOND
        return _Day(day, windows, slots, base if constant else None)

    def blocked(self, start: int, exempt_slot: int) -> bool:
        """Whether a busy interval, other than the slot's own seats, overlaps the buffered time.

        Busy intervals are sorted by start, so only those starting within one longest booking
        before the buffered range are looked at.
        """
        low, high = start - self.before, start + self.duration + self.after
        index = bisect_left(self.busy_starts, high) - 1
        while index >= 0 and self.busy_starts[index] > low - self.longest_busy:
            _, busy_end, slot_id = self.busy[index]
            if busy_end > low and slot_id != exempt_slot:
                return True
            index -= 1
        return False

    def bookable(self, offers: dict[int, tuple[int, int | None]],
                 viewer: ZoneInfo) -> list[BookableTime]:
        """The output records, sorted, in the viewer's zone.

        Most ends are also starts, so each instant is converted to the viewer's zone once.
        """
        duration, price, currency = self.duration, self.price, self.settings.currency
        instants = set(offers)
        instants.update([start + duration for start in offers])
        shown = {instant: datetime.fromtimestamp(instant, viewer) for instant in instants}
        return [BookableTime(shown[start], shown[start + duration], price, currency,
                             *offers[start]) for start in sorted(offers)]


def _check_settings(settings: TypeSettings, duration_minutes: int) -> None:
    """Refuse requests the engine cannot answer honestly."""
    if duration_minutes not in settings.prices:
        offered = ", ".join(str(d) for d in sorted(settings.prices)) or "none"
        raise EngineError(f"duration {duration_minutes} min is not offered (offered: {offered})")
    if duration_minutes <= 0:
        raise EngineError(f"duration must be positive, got {duration_minutes}")
    if settings.step_minutes not in ALLOWED_STEPS:
        raise EngineError(f"step must be one of {sorted(ALLOWED_STEPS)}, "
                          f"got {settings.step_minutes}")
    for name in ("buffer_before_minutes", "buffer_after_minutes", "min_notice_minutes",
                 "horizon_days"):
        if getattr(settings, name) < 0:
            raise EngineError(f"{name} must not be negative")
    if settings.capacity < 1:
        raise EngineError(f"capacity must be at least 1, got {settings.capacity}")


def _busy_ranges(busy: Iterable[BusyInterval], settings: TypeSettings,
                 duration: int) -> list[tuple[int, int, int | None, int | None]]:
    """Busy intervals as (start, end, slot_id, seat_of) epoch seconds, rounded outward, sorted.

    Empty intervals hold no time and are dropped.
    """
    ranges = [(_epoch(b.starts_at), _epoch(b.ends_at, ceil=True), b.slot_id,
               _seat_of(b, settings, duration)) for b in busy]
    return sorted((r for r in ranges if r[1] > r[0]), key=lambda r: r[:2])


def _core(interval: BusyInterval) -> Range:
    """The booking's real (unwidened) start and end, falling back to the widened ones."""
    start = interval.core_starts_at or interval.starts_at
    return _epoch(start), _epoch(interval.core_ends_at or interval.ends_at, ceil=True)


def _seat_of(interval: BusyInterval, settings: TypeSettings, duration: int) -> int | None:
    """The start of the group session this booking is a seat of, or None when it just blocks.

    Only bookings of this group type made on weekly hours (no slot) with an explicit core time
    of exactly the requested duration can be joined.
    """
    if (settings.capacity <= 1 or interval.consultation_type_id != settings.id
            or interval.slot_id is not None or interval.core_starts_at is None
            or interval.core_ends_at is None):
        return None
    core_start, core_end = _core(interval)
    return core_start if core_end - core_start == duration else None


def _seats(busy: Iterable[tuple[int, int, int | None, int | None]]) -> dict[int, int]:
    """Seats taken per group session start."""
    counts: dict[int, int] = {}
    for *_, seat_of in busy:
        if seat_of is not None:
            counts[seat_of] = counts.get(seat_of, 0) + 1
    return counts


def _forbidden(busy: Iterable[tuple[int, int, int | None, int | None]], duration: int,
               before: int, after: int) -> _Forbidden:
    """Starts s ruled out by busy [b0, b1): s - before < b1 and b0 < s + duration + after.

    A seat of a group session leaves a hole at that session's own start, so the session can
    be joined while every other start overlapping it stays blocked.
    """
    ranges: list[Range] = []
    for busy_start, busy_end, _, seat_of in busy:
        first, last = busy_start - duration - after + 1, busy_end + before - 1
        if seat_of is None:
            ranges.append((first, last))
        else:
            ranges += [(first, seat_of - 1), (seat_of + 1, last)]
    return _Forbidden(r for r in ranges if r[0] <= r[1])


def _weekly(weekly: Iterable[WeeklyInterval], type_id: int) -> list[list[Range]]:
    """Merged working windows per weekday, for the type being booked."""
    days: list[list[Range]] = [[] for _ in range(7)]
    for interval in weekly:
        if not 0 <= interval.weekday <= 6:
            raise EngineError(f"weekday must be 0..6, got {interval.weekday}")
        window = _wall_range(interval.start, interval.end, "weekly interval")
        types = interval.consultation_type_ids
        if types is None or type_id in types:
            days[interval.weekday].append(window)
    return [_merge(windows) for windows in days]


def _overrides(overrides: Iterable[DateOverride]) -> dict[date, list[Range] | None]:
    """Per date: None when blocked, else the merged custom hours."""
    result: dict[date, list[Range] | None] = {}
    for override in overrides:
        windows = [_wall_range(start, end, f"override {override.day}")
                   for start, end in override.intervals]
        current = result.get(override.day, [])
        if override.blocked or current is None:
            result[override.day] = None
        else:
            result[override.day] = _merge(current + windows)
    return result


def _slots(slots: Iterable[SlotWindow], type_id: int) -> dict[date, list[_Slot]]:
    """Active slots that can hold this type, with their wall-clock range, by coach-local date."""
    result: dict[date, list[_Slot]] = {}
    for slot in slots:
        wall = _wall_range(slot.start, slot.end, f"slot {slot.id}")
        if slot.active and slot.consultation_type_id in (None, type_id):
            result.setdefault(slot.day, []).append((slot, wall))
    return result


def _full_days(busy: Iterable[BusyInterval], settings: TypeSettings, zone: ZoneInfo) -> set[date]:
    """Coach-local dates already at max_bookings_per_day for this type (a session counts once)."""
    limit = settings.max_bookings_per_day
    if limit is None:
        return set()
    starts: dict[date, set[int]] = {}
    for b in busy:
        if b.consultation_type_id == settings.id:
            start = _core(b)[0]
            starts.setdefault(datetime.fromtimestamp(start, zone).date(), set()).add(start)
    return {day for day, distinct in starts.items() if len(distinct) >= limit}


# --------------------------------------------------------------------------- candidates


def _iter_starts(ctx: _Context, lo: int, hi: int) -> Iterator[tuple[int, int, int | None]]:
    """(start, remaining, slot_id) for every bookable start in [lo, hi], in no set order."""
    if lo > hi:
        return
    # A start is the first occurrence of its wall time, so its coach date is never before
    # lo's. It can be after hi's: when a fall-back crosses midnight (St. John's at 00:01
    # until 2011), an instant after the new date's first minutes still reads the old date.
    first = datetime.fromtimestamp(lo, ctx.zone).date().toordinal()
    last = datetime.fromtimestamp(hi, ctx.zone).date().toordinal() + 1
    for ordinal in range(first, last + 1):
        plan = ctx.day_plan(ordinal)
        yield from _slot_starts(ctx, plan, lo, hi)
        if plan.base is None:
            yield from _weekly_starts_dst(ctx, plan, lo, hi)
        else:
            yield from _weekly_starts(ctx, plan, lo, hi)


def _weekly_starts(ctx: _Context, plan: _Day, lo: int, hi: int
                   ) -> Iterator[tuple[int, int, int | None]]:
    """Grid starts on a day with one UTC offset: pure integer arithmetic on free ranges."""
    base, step, capacity, seats = plan.base, ctx.step, ctx.settings.capacity, ctx.seats
    assert base is not None
    for window_start, window_end in plan.windows:
        first = max(base + window_start, lo)
        last = min(base + window_end - ctx.duration, hi)
        if first > last:
            continue
        for free_first, free_last in ctx.forbidden.free(first, last):
            start = free_first + (base - free_first) % step
            while start <= free_last:
                remaining = capacity - seats.get(start, 0)
                if remaining > 0:
                    yield start, remaining, None
                start += step


def _weekly_starts_dst(ctx: _Context, plan: _Day, lo: int, hi: int
                       ) -> Iterator[tuple[int, int, int | None]]:
    """Grid starts on a DST-change day: wall time by wall time, skipping the gap."""
    capacity, seats = ctx.settings.capacity, ctx.seats
    for window_start, window_end in plan.windows:
        window_last = _ceil_instant(ctx.zone, plan.day, window_end) - ctx.duration
        first_wall = -(-window_start // ctx.step) * ctx.step
        for wall in range(first_wall, window_end, ctx.step):
            start = _real_instant(ctx.zone, plan.day, wall)
            if start is None:
                continue
            if start > window_last or start > hi:
                break
            remaining = capacity - seats.get(start, 0)
            if start >= lo and start not in ctx.forbidden and remaining > 0:
                yield start, remaining, None


def _slot_starts(ctx: _Context, plan: _Day, lo: int, hi: int
                 ) -> Iterator[tuple[int, int, int | None]]:
    """One start per open slot; the slot's own bookings are its seats, not conflicts."""
    for slot, (wall_start, wall_end) in plan.slots:
        remaining = slot.capacity - slot.booked
        if remaining <= 0:
            continue
        if plan.base is None:
            start = _real_instant(ctx.zone, plan.day, wall_start)
            end = _ceil_instant(ctx.zone, plan.day, wall_end)
        else:
            start, end = plan.base + wall_start, plan.base + wall_end
        if (start is not None and lo <= start <= hi and end - start >= ctx.duration
                and not ctx.blocked(start, slot.id)):
            yield start, remaining, slot.id


def _preferred(current: tuple[int, int | None],
               offer: tuple[int, int | None]) -> tuple[int, int | None]:
    """One offer per instant: a slot beats weekly hours; then more seats, then the lower id.

    The coach made the slot on purpose, and one entry per instant keeps pickers unambiguous.
    """
    return max(current, offer, key=_rank)


def _rank(offer: tuple[int, int | None]) -> tuple[bool, int, int]:
    remaining, slot_id = offer
    return slot_id is not None, remaining, -(slot_id or 0)
