"""Wall clock to instants for the availability engine: zones, DST gaps and folds, and ranges.

Every instant is an integer of UTC epoch seconds; a wall time is seconds since the coach's
local midnight. A wall time inside a DST gap has no instant (`real_instant` is None) and
`ceil_instant` gives the first instant after the gap; an ambiguous one means its first
occurrence (fold=0). An end of 00:00 means midnight at the end of the day (24:00).
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .records import DateOverride, EngineError, SlotWindow, WeeklyInterval

DAY = 86_400
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
ONE_SECOND = timedelta(seconds=1)

Range = tuple[int, int]  # a pair of integer seconds: epoch or since local midnight
SlotRange = tuple[SlotWindow, Range]  # a slot and its wall-clock range


# --------------------------------------------------------------------------- zones and instants


def zone_of(name: str) -> ZoneInfo:
    """The IANA zone, or EngineError: a typo in a zone name must not become a 500."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise EngineError(f"unknown time zone {name!r}") from exc


def epoch(moment: datetime, *, ceil: bool = False) -> int:
    """Integer epoch seconds of an aware datetime, rounded down (or up)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise EngineError(f"datetime {moment.isoformat()} must be timezone-aware")
    if ceil:
        return -((EPOCH - moment) // ONE_SECOND)
    return (moment - EPOCH) // ONE_SECOND


def naive(day: date, seconds: int) -> datetime:
    """The coach-local wall clock ``seconds`` after midnight of ``day`` (may be the next day)."""
    return datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)


def day_start(zone: ZoneInfo, day: date, days: int = 0) -> int:
    """First instant of the local date ``days`` after ``day``: its 00:00.

    fold=0, so when midnight falls in a DST gap the date starts at the jump.
    """
    try:
        day += timedelta(days=days)
        return epoch(datetime(day.year, day.month, day.day, tzinfo=zone))
    except OverflowError as exc:
        raise EngineError(f"date {day} is out of range") from exc


def real_instant(zone: ZoneInfo, day: date, seconds: int) -> int | None:
    """The instant of a wall time (first occurrence), or None when it falls in a DST gap."""
    wall = naive(day, seconds)
    instant = epoch(wall.replace(tzinfo=zone))
    if datetime.fromtimestamp(instant, zone).replace(tzinfo=None) != wall:
        return None
    return instant


def ceil_instant(zone: ZoneInfo, day: date, seconds: int) -> int:
    """The first instant whose wall clock reaches a wall time: the transition for a gap time."""
    real = real_instant(zone, day, seconds)
    if real is not None:
        return real
    wall = naive(day, seconds)
    low = epoch(wall.replace(tzinfo=zone, fold=1))  # before the jump
    high = epoch(wall.replace(tzinfo=zone, fold=0))  # after the jump
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high


def wall_seconds(moment: time, *, end: bool = False) -> int:
    """Seconds since local midnight; as an end, 00:00 means midnight at the end of the day (24:00)."""
    if end and moment == time(0):
        return DAY
    return moment.hour * 3600 + moment.minute * 60 + moment.second + (not end and moment.microsecond > 0)


def wall_range(start: time, end: time, what: str) -> Range:
    """Seconds since local midnight as a half-open pair; end 00:00 means 24:00."""
    first, last = wall_seconds(start), wall_seconds(end, end=True)
    if last <= first:
        raise EngineError(f"{what}: end {end} must be after start {start}")
    return first, last


# --------------------------------------------------------------------------- range arithmetic


def merge(ranges: Iterable[Range], *, gap: int = 0) -> list[Range]:
    """Union of ranges, sorted; ranges at most ``gap`` apart are joined."""
    merged: list[Range] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + gap:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return merged


class Forbidden:
    """Merged closed ranges of start instants that some busy interval rules out."""

    def __init__(self, ranges: Iterable[Range]) -> None:
        merged = merge(ranges, gap=1)
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



# --------------------------------------------------------------------------- a date's windows


def weekly_windows(weekly: Iterable[WeeklyInterval], type_id: int | None) -> list[list[Range]]:
    """Merged working windows per weekday, for the type being booked (None: every type)."""
    days: list[list[Range]] = [[] for _ in range(7)]
    for interval in weekly:
        if not 0 <= interval.weekday <= 6:
            raise EngineError(f"weekday must be 0..6, got {interval.weekday}")
        window = wall_range(interval.start, interval.end, "weekly interval")
        types = interval.consultation_type_ids
        if types is None or type_id is None or type_id in types:
            days[interval.weekday].append(window)
    return [merge(windows) for windows in days]


def override_windows(overrides: Iterable[DateOverride]) -> dict[date, list[Range] | None]:
    """Per date: None when blocked, else the merged custom hours."""
    result: dict[date, list[Range] | None] = {}
    for override in overrides:
        windows = [wall_range(start, end, f"override {override.day}")
                   for start, end in override.intervals]
        current = result.get(override.day, [])
        if override.blocked or current is None:
            result[override.day] = None
        else:
            result[override.day] = merge(current + windows)
    return result


def slots_by_day(slots: Iterable[SlotWindow], type_id: int | None) -> dict[date, list[SlotRange]]:
    """Active slots that can hold this type (None: any), with their wall-clock range, by coach-local date."""
    result: dict[date, list[SlotRange]] = {}
    for slot in slots:
        wall = wall_range(slot.start, slot.end, f"slot {slot.id}")
        if slot.active and (type_id is None or slot.consultation_type_id in (None, type_id)):
            result.setdefault(slot.day, []).append((slot, wall))
    return result

