"""Dates of the hand-built analytics week (Riyadh clock)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

RIYADH = ZoneInfo("Asia/Riyadh")  # the reporting zone in these tests (UTC+3, no DST)
MONDAY = date(2026, 3, 2)


def riyadh(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=RIYADH).astimezone(ZoneInfo("UTC"))
