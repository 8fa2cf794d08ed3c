"""Small helpers shared by the customer pages: the viewer's zone, local times, the booking draft."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, get_timezone_name
from flask import current_app, session
from flask_babel import get_locale
from flask_login import current_user

from ..core.validation import is_timezone

DRAFT_KEY = "booking_draft"


def viewer_timezone(requested: str | None = None) -> str:
    """The zone times are shown in: the one asked for, else the session's, else the account's."""
    if is_timezone(requested):
        session["timezone"] = requested
        return requested
    if is_timezone(session.get("timezone")):
        return session["timezone"]
    if getattr(current_user, "is_authenticated", False) and is_timezone(current_user.timezone):
        return current_user.timezone
    return current_app.config.get("DEFAULT_TIMEZONE", "Asia/Riyadh")


def _locale() -> str:
    return str(get_locale() or "en")


def local_datetime(value: datetime, tz: str, fmt: str = "full") -> str:
    """`value` in zone `tz`, in the page language, e.g. 'Sunday, 6 December 2026 at 10:00'."""
    zone = ZoneInfo(tz)
    if fmt == "full":
        local = value.astimezone(zone)
        return f"{format_date(local, 'full', locale=_locale())} · {format_time(local, 'short', locale=_locale())}"
    return format_datetime(value, fmt, tzinfo=zone, locale=_locale())


def local_time(value: datetime, tz: str) -> str:
    return format_time(value.astimezone(ZoneInfo(tz)), "short", locale=_locale())


def local_date(value, fmt: str = "full") -> str:
    return format_date(value, fmt, locale=_locale())


def zone_label(tz: str) -> str:
    """The zone's id with its readable name: 'Europe/London (United Kingdom Time)'."""
    try:
        return f"{tz} ({get_timezone_name(ZoneInfo(tz), locale=_locale())})"
    except Exception:  # noqa: BLE001 - a name babel cannot render is still shown by its id
        return tz


def get_draft() -> dict | None:
    return session.get(DRAFT_KEY)


def save_draft(draft: dict) -> None:
    session[DRAFT_KEY] = draft


def clear_draft() -> None:
    session.pop(DRAFT_KEY, None)
