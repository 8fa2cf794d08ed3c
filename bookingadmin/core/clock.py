"""The one clock. Services take `now` as an argument; callers get it here. Also the arithmetic that
turns local calendar days into UTC ranges (dashboards, filters, analytics)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which `day` begins on `zone`'s wall clock."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def day_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC covering the local dates first..last inclusive."""
    return local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())
