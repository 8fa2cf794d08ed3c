"""The availability engine's candidate walk: which starts are bookable, as integers.

A request's inputs become sorted integer structures once (`Context.build`); busy intervals
become merged ranges of forbidden starts, subtracted from each working window with a
bisect-and-merge walk, and the grid is stepped only through what is left. Days with a DST
change take a slower wall-clock path. The rules are listed in engine.py.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .records import ALLOWED_STEPS, BookableTime, BusyInterval, CoachSchedule, EngineError, TypeSettings
from .wallclock import (
    DAY, EPOCH_ORDINAL, ONE_SECOND, Forbidden, Range, SlotRange, ceil_instant, epoch, override_windows,
    real_instant, slots_by_day, weekly_windows, zone_of,
)


@dataclass
class _Day:
    """One coach-local date, prepared: its working windows, its slots and its UTC offset."""

    day: date
    windows: list[Range]  # merged, half-open, in seconds since local midnight
    slots: list[SlotRange]
    base: int | None  # epoch of local midnight when the offset is constant all day, else None


@dataclass
class Context:
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
    forbidden: Forbidden
    seats: dict[int, int]  # group session start -> seats taken
    busy: list[tuple[int, int, int | None]]  # (start, end, slot_id) sorted by start
    busy_starts: list[int]
    longest_busy: int
    weekly: list[list[Range]]  # by weekday
    overrides: dict[date, list[Range] | None]  # None = blocked
    slots: dict[date, list[SlotRange]]
    full_days: set[date]
    days: dict[int, _Day] = field(default_factory=dict)

    @classmethod
    def build(cls, schedule: CoachSchedule, settings: TypeSettings, duration_minutes: int,
              now: datetime) -> Context:
        """Validate the request and prepare everything that does not depend on the date."""
        check_settings(settings, duration_minutes)
        zone = zone_of(schedule.timezone)
        duration = duration_minutes * 60
        before, after = settings.buffer_before_minutes * 60, settings.buffer_after_minutes * 60
        busy = _busy_ranges(schedule.busy, settings, duration)
        now_floor, now_ceil = epoch(now), epoch(now, ceil=True)
        return cls(
            zone=zone, settings=settings, duration=duration, step=settings.step_minutes * 60,
            before=before, after=after, price=settings.prices[duration_minutes],
            earliest=now_ceil + settings.min_notice_minutes * 60,
            latest=now_floor + settings.horizon_days * DAY,
            forbidden=_forbidden(busy, duration, before, after), seats=_seats(busy),
            busy=[b[:3] for b in busy], busy_starts=[b[0] for b in busy],
            longest_busy=max((b[1] - b[0] for b in busy), default=0),
            weekly=weekly_windows(schedule.weekly, settings.id), overrides=override_windows(schedule.overrides),
            slots=slots_by_day(schedule.slots, settings.id),
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
        base = (day.toordinal() - EPOCH_ORDINAL) * DAY - offset // ONE_SECOND
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


def check_settings(settings: TypeSettings, duration_minutes: int) -> None:
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
    ranges = [(epoch(b.starts_at), epoch(b.ends_at, ceil=True), b.slot_id,
               _seat_of(b, settings, duration)) for b in busy]
    return sorted((r for r in ranges if r[1] > r[0]), key=lambda r: r[:2])


def _core(interval: BusyInterval) -> Range:
    """The booking's real (unwidened) start and end, falling back to the widened ones."""
    start = interval.core_starts_at or interval.starts_at
    return epoch(start), epoch(interval.core_ends_at or interval.ends_at, ceil=True)


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
               before: int, after: int) -> Forbidden:
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
    return Forbidden(r for r in ranges if r[0] <= r[1])




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


def iter_starts(ctx: Context, lo: int, hi: int) -> Iterator[tuple[int, int, int | None]]:
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


def _weekly_starts(ctx: Context, plan: _Day, lo: int, hi: int
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


def _weekly_starts_dst(ctx: Context, plan: _Day, lo: int, hi: int
                       ) -> Iterator[tuple[int, int, int | None]]:
    """Grid starts on a DST-change day: wall time by wall time, skipping the gap."""
    capacity, seats = ctx.settings.capacity, ctx.seats
    for window_start, window_end in plan.windows:
        window_last = ceil_instant(ctx.zone, plan.day, window_end) - ctx.duration
        first_wall = -(-window_start // ctx.step) * ctx.step
        for wall in range(first_wall, window_end, ctx.step):
            start = real_instant(ctx.zone, plan.day, wall)
            if start is None:
                continue
            if start > window_last or start > hi:
                break
            remaining = capacity - seats.get(start, 0)
            if start >= lo and start not in ctx.forbidden and remaining > 0:
                yield start, remaining, None


def _slot_starts(ctx: Context, plan: _Day, lo: int, hi: int
                 ) -> Iterator[tuple[int, int, int | None]]:
    """One start per open slot; the slot's own bookings are its seats, not conflicts."""
    for slot, (wall_start, wall_end) in plan.slots:
        remaining = slot.capacity - slot.booked
        if remaining <= 0:
            continue
        if plan.base is None:
            start = real_instant(ctx.zone, plan.day, wall_start)
            end = ceil_instant(ctx.zone, plan.day, wall_end)
        else:
            start, end = plan.base + wall_start, plan.base + wall_end
        if (start is not None and lo <= start <= hi and end - start >= ctx.duration
                and not ctx.blocked(start, slot.id)):
            yield start, remaining, slot.id


def preferred(current: tuple[int, int | None],
               offer: tuple[int, int | None]) -> tuple[int, int | None]:
    """One offer per instant: a slot beats weekly hours; then more seats, then the lower id.

    The coach made the slot on purpose, and one entry per instant keeps pickers unambiguous.
    """
    return max(current, offer, key=_rank)


def _rank(offer: tuple[int, int | None]) -> tuple[bool, int, int]:
    remaining, slot_id = offer
    return slot_id is not None, remaining, -(slot_id or 0)

