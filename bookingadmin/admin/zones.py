"""The viewer's time zone: every back-office page shows instants on the signed-in user's clock."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from flask_login import current_user


def viewer_zone_name() -> str:
    cache = request_cache() if has_request_context() else {}
    if "viewer_zone" not in cache:
        zone = getattr(current_user, "timezone", None) if getattr(current_user, "is_authenticated", False) else None
        cache["viewer_zone"] = zone or current_app.config.get("DEFAULT_TIMEZONE", "UTC")
    return cache["viewer_zone"]


def viewer_zone() -> ZoneInfo:
    return ZoneInfo(viewer_zone_name())  # ZoneInfo caches its instances


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


def format_local(moment: datetime | None, fmt: str = "%a %d %b %Y %H:%M", zone: ZoneInfo | None = None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(zone or viewer_zone()).strftime(fmt)


def request_cache() -> dict:
    """A dict that lives as long as the current request (not `g`: tests share one app context)."""
    return request.environ.setdefault("bookingadmin.request_cache", {})
