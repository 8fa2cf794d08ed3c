"""The availability engine's plain input and output records (no database, no Flask).

The loaders (schedule.py) fill these from the tables; the engine (engine.py) answers in them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

ALLOWED_STEPS = frozenset({5, 10, 15, 30, 60})


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
