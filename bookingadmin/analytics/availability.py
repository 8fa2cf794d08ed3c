"""A coach's working time per date, as UTC intervals: the calendar's free hours and utilization's denominator.

Reads the availability domain's loaded schedule (`coach_schedule`: weekly hours, date overrides,
slots) and applies the engine's documented rules for *working windows* (engine.py docstring):
a date's override replaces its weekly hours (blocked: nothing, slots closed too); weekly hours
of every type count; active slots add their time; touching windows merge; `end == 00:00` means
midnight; wall-clock times are expanded in the coach's zone, real elapsed time across DST.

The availability engine exposes bookable *starts* only; when it offers working windows per date,
this module should call it instead (noted for the availability workstream).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]


def _instant(day: date, moment: time, zone: ZoneInfo, *, end: bool = False) -> datetime:
    if end and moment == time(0):
        day, moment = day + timedelta(days=1), time(0)
    return datetime.combine(day, moment, tzinfo=zone).astimezone(timezone.utc)


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif end > start:
            merged.append((start, end))
    return merged


def working_windows(schedule, first: date, last: date) -> dict[date, list[Interval]]:
    """Coach-local dates first..last → merged UTC intervals the coach works (absent: none)."""
    zone = ZoneInfo(schedule.timezone)
    weekly = defaultdict(list)
    for interval in schedule.weekly:
        weekly[interval.weekday].append((interval.start, interval.end))
    overrides: dict[date, list] = defaultdict(list)
    blocked: set[date] = set()
    for override in schedule.overrides:
        if override.blocked:
            blocked.add(override.day)
        else:
            overrides[override.day].extend(override.intervals)
    slots = defaultdict(list)
    for slot in schedule.slots:
        if getattr(slot, "active", True):
            slots[slot.day].append((slot.start, slot.end))
    result: dict[date, list[Interval]] = {}
    day = first
    while day <= last:
        if day not in blocked:
            wall = overrides[day] if day in overrides else weekly[day.weekday()]
            intervals = [(_instant(day, s, zone), _instant(day, e, zone, end=True)) for s, e in wall + slots[day]]
            if intervals:
                result[day] = _merge(intervals)
        day += timedelta(days=1)
    return result


def minutes(intervals: list[Interval]) -> int:
    return int(sum((end - start).total_seconds() for start, end in intervals) // 60)


def subtract(windows: list[Interval], busy: list[Interval]) -> list[Interval]:
    """The parts of `windows` not covered by `busy` (both sorted lists of UTC intervals)."""
    free: list[Interval] = []
    for start, end in windows:
        cursor = start
        for b_start, b_end in sorted(busy):
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                free.append((cursor, b_start))
            cursor = max(cursor, b_end)
        if cursor < end:
            free.append((cursor, end))
    return free
