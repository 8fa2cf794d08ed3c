"""Where availability learns who holds a coach's time, without importing who that is.

Availability owns a coach's time but not the things that take it: bookings and their payment
holds now, external calendars later. Each such domain registers a `TimeSource` with the app
(`register_time_source(app, source)` from its init_app); availability asks every registered
source and never imports their packages, so the dependency runs one way (bookings →
availability). A source answers in plain values: engine.BusyInterval and ids.

`exclude_booking_id` is passed to every source: the one holder to leave out (the booking being
moved must not collide with itself). A source that holds no bookings ignores it.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import Flask, current_app

from . import engine

_KEY = "availability.time_sources"


class TimeSource:
    """Something that takes coaches' time. Override what applies; the defaults hold nothing."""

    name = "source"

    def busy(self, coach_ids: list[int], low: datetime, high: datetime, *, now: datetime,
             exclude_booking_id: int | None = None) -> dict[int, list[engine.BusyInterval]]:
        """Per coach, the intervals held at `now` that overlap [low, high), widened by their buffers."""
        return {}

    def seats_held(self, slot_ids: list[int], *, now: datetime,
                   exclude_booking_id: int | None = None) -> dict[int, int]:
        """Per explicit slot, how many of its seats are held at `now` (slots with none may be absent)."""
        return {}

    def slot_references(self, slot_id: int, *, open_only: bool) -> int:
        """How many records refer to the slot: all of them ever, or only those not cancelled."""
        return 0

    def held_between(self, coach_id: int, low: datetime, high: datetime, *, now: datetime) -> list[int]:
        """Ids of the holders starting in [low, high) that hold the coach's time at `now`."""
        return []


def register_time_source(app: Flask, source: TimeSource) -> None:
    """Add (or replace, by name) a source of busy time for this app."""
    app.extensions.setdefault(_KEY, {})[source.name] = source


def time_sources() -> Iterable[TimeSource]:
    return current_app.extensions.get(_KEY, {}).values()


def busy(coach_ids: list[int], low: datetime, high: datetime, *, now: datetime,
         exclude_booking_id: int | None = None) -> dict[int, list[engine.BusyInterval]]:
    """Every source's busy intervals per coach, each coach's sorted by start."""
    result: dict[int, list[engine.BusyInterval]] = {}
    for source in time_sources():
        for coach_id, intervals in source.busy(coach_ids, low, high, now=now,
                                               exclude_booking_id=exclude_booking_id).items():
            result.setdefault(coach_id, []).extend(intervals)
    for intervals in result.values():
        intervals.sort(key=lambda b: (b.starts_at, b.ends_at))
    return result


def seats_held(slot_ids: Iterable[int], *, now: datetime, exclude_booking_id: int | None = None) -> dict[int, int]:
    """Seats held per slot id; every slot asked for is in the answer (0 when free)."""
    ids = list(slot_ids)
    counts = dict.fromkeys(ids, 0)
    if ids:
        for source in time_sources():
            for slot_id, held in source.seats_held(ids, now=now, exclude_booking_id=exclude_booking_id).items():
                counts[slot_id] = counts.get(slot_id, 0) + held
    return counts


def slot_references(slot_id: int, *, open_only: bool) -> int:
    return sum(source.slot_references(slot_id, open_only=open_only) for source in time_sources())


def held_between(coach_id: int, low: datetime, high: datetime, *, now: datetime) -> list[int]:
    return [held for source in time_sources() for held in source.held_between(coach_id, low, high, now=now)]
