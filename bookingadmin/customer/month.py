"""The month calendar the booking and reschedule pages share: which month and day the viewer asked
for, the weeks of the grid (starting on Sunday) and the names of months and weekdays in the
page language."""
from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Callable
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names
from flask import request
from flask_babel import get_locale


def _lang() -> str:
    return str(get_locale() or "en")


def month_of(raw: str | None, today: date) -> tuple[int, int]:
    """"2026-12" → (2026, 12) when within a year back and two ahead; else this month."""
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        if 1 <= month <= 12 and today.year - 1 <= year <= today.year + 2:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


def parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def day_names() -> list[str]:
    names = get_day_names("abbreviated", locale=_lang())
    return [names[(6 + i) % 7] for i in range(7)]  # weeks start on Sunday


def weeks(year: int, month: int) -> list[list[date | None]]:
    cal = calendar.Calendar(firstweekday=6)
    return [[d if d.month == month else None for d in week] for week in cal.monthdatescalendar(year, month)]


def shift(year: int, month: int, delta: int) -> str:
    index = year * 12 + (month - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class MonthView:
    """The month and day a calendar page shows, read from ?month= and ?date= in the viewer's zone."""

    def __init__(self, tz: str, now: datetime):
        self.tz = tz
        self.today = now.astimezone(ZoneInfo(tz)).date()
        self.year, self.month = month_of(request.args.get("month"), self.today)
        self.chosen_day = parse_day(request.args.get("date"))

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def context(self, day_link: Callable[[date], str]) -> dict:
        """What the calendar part of the template needs."""
        return {"year": self.year, "month": self.month, "weeks": weeks(self.year, self.month),
                "chosen_day": self.chosen_day, "today": self.today, "day_link": day_link,
                "day_names": day_names(), "month_name": get_month_names("wide", locale=_lang())[self.month],
                "prev_month": shift(self.year, self.month, -1), "next_month": shift(self.year, self.month, 1)}
