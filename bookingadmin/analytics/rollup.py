"""Filling the rollup tables from the bookings, in SQL (INSERT ... SELECT ... GROUP BY).

A full refresh rebuilds everything. An incremental refresh rebuilds only the reporting days
touched since the last refresh: the days of bookings updated since then (`updated_at`, indexed)
plus the days they were rescheduled away from (from their `rescheduled` events). Each rebuilt day
is deleted and inserted again in the same transaction, so readers never see half a day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, func, insert, literal, select

from ..bookings.models import ACTIVE_STATUSES, STATUSES, Booking, BookingEvent
from ..catalog.models import CoachProfile
from ..core.clock import day_bounds, utcnow
from ..extensions import db
from .revenue import booking_revenue, counts_as_revenue
from .models import ALL, BookingDayRollup, CoachDayRollup, DurationRollup, RollupRefresh, StartHourRollup
from .sql import local_date, local_hour

PAID_PAYMENT_STATUSES = ("paid", "partially_refunded", "refunded", "not_required")
BOOKED_STATUSES = ACTIVE_STATUSES + ("completed", "no_show")
# Bookings updated this long before the last watermark are read again: a transaction that
# started before a refresh and committed after it is not missed.
OVERLAP = timedelta(minutes=10)
# Coach availability is kept this far ahead (utilization of the coming weeks).
AVAILABILITY_AHEAD = timedelta(days=92)


@dataclass(frozen=True)
class RefreshResult:
    full: bool
    days: int
    seconds: float


def reporting_zone() -> str:
    return current_app.config.get("ANALYTICS_TIMEZONE") or current_app.config.get("DEFAULT_TIMEZONE", "UTC")


def last_refresh() -> RollupRefresh | None:
    return db.session.scalar(select(RollupRefresh).order_by(RollupRefresh.id.desc()).limit(1))


def refresh_analytics(*, now: datetime | None = None, full: bool = False) -> RefreshResult:
    """Bring the rollups up to date with the bookings. The caller commits."""
    started = utcnow()
    now = now or started
    zone = reporting_zone()
    previous = last_refresh()
    full = full or previous is None or previous.timezone != zone
    days = None if full else _touched_days(previous.watermark - OVERLAP, zone)
    if days is None or days:
        _rebuild(BookingDayRollup, _booking_day_select(zone), days, zone)
        _rebuild(DurationRollup, _duration_select(zone), days, zone)
        _rebuild(StartHourRollup, _start_hour_select(zone), days, zone)
    available_days = _refresh_coach_days(now, None if full else previous.watermark - OVERLAP)
    finished = utcnow()
    db.session.add(RollupRefresh(started_at=started, finished_at=finished, watermark=started, timezone=zone,
                                 full=full, days=len(days) if days is not None else available_days))
    db.session.flush()
    return RefreshResult(full, len(days) if days is not None else available_days,
                         (finished - started).total_seconds())


# --------------------------------------------------------------------------- which days


def _touched_days(since: datetime, zone: str) -> set[date]:
    moved = db.session.execute(
        select(local_date(Booking.starts_at, zone), local_date(Booking.rescheduled_from_starts_at, zone))
        .where(Booking.updated_at >= since).distinct())
    days = {d for pair in moved for d in pair if d is not None}
    for data in db.session.scalars(select(BookingEvent.data).where(BookingEvent.created_at >= since,
                                                                   BookingEvent.action == "rescheduled")):
        for key in ("from_starts_at", "to_starts_at"):
            if data and data.get(key):
                days.add(_to_zone_date(datetime.fromisoformat(data[key]), zone))
    return {_as_date(d) for d in days}


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _to_zone_date(moment: datetime, zone: str) -> date:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).date()


def _rebuild(table, query, days: set[date] | None, zone: str) -> None:
    """Replace the rows of `days` (all when None): per coach and type from the bookings, then the
    (coach, ALL), (ALL, type) and (ALL, ALL) levels summed from those."""
    removal = delete(table)
    if days is not None:
        removal = removal.where(table.day.in_(days))
        query = _only_days(query, days, zone)
    db.session.execute(removal)
    db.session.execute(insert(table).from_select(list(query.selected_columns.keys()), query))
    for keep_coach, keep_type in ((True, False), (False, True), (False, False)):
        db.session.execute(_summed_level(table, keep_coach, keep_type, days))


def _summed_level(table, keep_coach: bool, keep_type: bool, days: set[date] | None):
    keys = [c for c in table.__table__.primary_key.columns if c.name not in ("coach_id", "consultation_type_id")]
    measures = [c for c in table.__table__.columns if not c.primary_key]
    coach = table.coach_id if keep_coach else literal(ALL)
    ctype = table.consultation_type_id if keep_type else literal(ALL)
    query = (select(coach.label("coach_id"), ctype.label("consultation_type_id"), *keys,
                    *(func.sum(c).label(c.name) for c in measures))
             .where(table.coach_id != ALL, table.consultation_type_id != ALL)
             .group_by(*([table.coach_id] if keep_coach else []), *([table.consultation_type_id] if keep_type else []),
                       *keys))
    if days is not None:
        query = query.where(table.day.in_(days))
    return insert(table).from_select(["coach_id", "consultation_type_id"] + [c.name for c in keys + measures], query)


def _only_days(query, days: set[date], zone: str):
    from zoneinfo import ZoneInfo

    low, high = day_bounds(min(days), max(days), ZoneInfo(zone))
    return query.where(Booking.starts_at >= low - timedelta(days=1), Booking.starts_at < high + timedelta(days=1),
                       local_date(Booking.starts_at, zone).in_(days))


# --------------------------------------------------------------------------- the aggregates


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def _booking_day_select(zone: str):
    """Per reporting day, coach, type and currency."""
    day = local_date(Booking.starts_at, zone)
    paid_row = Booking.payment_status.in_(PAID_PAYMENT_STATUSES)  # derived by payments/status.py alone
    columns = {
        "day": day, "coach_id": Booking.coach_id, "consultation_type_id": Booking.consultation_type_id,
        "currency": Booking.currency, "bookings": func.count(),
        **{status: _count_if(Booking.status == status) for status in STATUSES},
        "paid": _count_if(paid_row),
        "revenue": func.coalesce(func.sum(booking_revenue()), 0),
        "revenue_bookings": _count_if(counts_as_revenue()),
        "booked_minutes": func.sum(case((Booking.status.in_(BOOKED_STATUSES), Booking.duration_minutes), else_=0)),
        "rating_count": func.count(Booking.feedback_rating),
        "rating_sum": func.coalesce(func.sum(Booking.feedback_rating), 0),
        **{f"rating_{n}": _count_if(Booking.feedback_rating == n) for n in range(1, 6)},
    }
    return (select(*(expr.label(name) for name, expr in columns.items()))
            .group_by(day, Booking.coach_id, Booking.consultation_type_id, Booking.currency))


def _duration_select(zone: str):
    day = local_date(Booking.starts_at, zone)
    return (select(day.label("day"), Booking.coach_id.label("coach_id"),
                   Booking.consultation_type_id.label("consultation_type_id"),
                   Booking.duration_minutes.label("duration_minutes"), func.count().label("bookings"))
            .group_by(day, Booking.coach_id, Booking.consultation_type_id, Booking.duration_minutes))


def _start_hour_select(zone: str):
    day, hour = local_date(Booking.starts_at, zone), local_hour(Booking.starts_at, zone)
    return (select(day.label("day"), Booking.coach_id.label("coach_id"),
                   Booking.consultation_type_id.label("consultation_type_id"), hour.label("hour"),
                   func.count().label("bookings"))
            .group_by(day, Booking.coach_id, Booking.consultation_type_id, hour))


# --------------------------------------------------------------------------- coach availability


def _refresh_coach_days(now: datetime, since: datetime | None) -> int:
    """Available minutes per coach and coach-local date, up to AVAILABILITY_AHEAD from now.

    Full (since=None): every coach from the first booking's date. Incremental: the coaches whose
    availability changed since then (their availability history says so), from yesterday on; and
    every coach for the dates that entered the window since the last refresh. Returns dates written.
    """
    from ..availability.models import AvailabilityChange

    today, end = now.date(), now.date() + AVAILABILITY_AHEAD
    coach_ids = list(db.session.scalars(select(CoachProfile.id)))
    if since is None:
        first = db.session.scalar(select(func.min(Booking.starts_at)))
        return _write_coach_days(coach_ids, (first.date() if first else today) - timedelta(days=1), end, now)
    changed = list(db.session.scalars(select(AvailabilityChange.coach_id).distinct()
                                      .where(AvailabilityChange.created_at >= since)))
    written = _write_coach_days(changed, today - timedelta(days=1), end, now) if changed else 0
    last = db.session.scalar(select(func.max(CoachDayRollup.day)))
    if last is not None and last < end:
        written += _write_coach_days(coach_ids, last + timedelta(days=1), end, now)
    return written


def _write_coach_days(coach_ids: list[int], first: date, last: date, now: datetime) -> int:
    from ..availability.engine import minutes
    from ..availability.services import working_time

    db.session.execute(delete(CoachDayRollup).where(CoachDayRollup.coach_id.in_(coach_ids),
                                                    CoachDayRollup.day.between(first, last)))
    rows = []
    for coach_id, days in working_time(coach_ids, first, last, now=now).items():
        rows += [{"day": day, "coach_id": coach_id, "available_minutes": minutes(intervals)}
                 for day, intervals in days.items()]
    if rows:
        db.session.execute(insert(CoachDayRollup), rows)
    return (last - first).days + 1


