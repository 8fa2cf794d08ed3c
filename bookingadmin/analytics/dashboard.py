"""Live queries behind the back-office dashboard at /admin.

Each takes `visible`, the SQL condition that limits bookings to what the viewer may see (None:
everything), and reads a bounded number of rows through an index.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from ..bookings.models import ACTIVE_STATUSES, Booking
from ..catalog.models import ConsultationType
from ..core.clock import day_bounds
from ..extensions import db
from .revenue import booking_revenue, counts_as_revenue
from .sql import local_date

SCHEDULED = ACTIVE_STATUSES + ("completed", "no_show")
# What the dashboard's lists show: no intake, notes or feedback text is read.
_LIST_COLUMNS = load_only(Booking.id, Booking.number, Booking.customer_name, Booking.coach_id, Booking.type_title_en,
                          Booking.starts_at, Booking.ends_at, Booking.status, Booking.amount, Booking.currency,
                          Booking.created_at, Booking.paid_at, Booking.hold_expires_at)


def _scoped(query, visible):
    return query if visible is None else query.where(visible)


def _bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:

    return day_bounds(first, last, zone)


def schedule(visible, first: date, last: date, zone: ZoneInfo, limit: int = 50) -> list[Booking]:
    """Bookings (not cancelled) starting on the viewer's dates first..last, in time order."""
    low, high = _bounds(first, last, zone)
    query = (select(Booking).options(_LIST_COLUMNS)
             .where(Booking.starts_at >= low, Booking.starts_at < high, Booking.status.in_(SCHEDULED))
             .order_by(Booking.starts_at, Booking.id).limit(limit))
    return list(db.session.scalars(_scoped(query, visible)))


@dataclass
class DayLoad:
    day: date
    bookings: int
    minutes: int


def days_ahead(visible, today: date, zone: ZoneInfo, days: int = 7) -> list[DayLoad]:
    """Bookings and booked minutes per day for the next `days` days after today (every day listed)."""
    first, last = today + timedelta(days=1), today + timedelta(days=days)
    low, high = _bounds(first, last, zone)
    day = local_date(Booking.starts_at, str(zone.key))
    query = (select(day, func.count(), func.sum(Booking.duration_minutes))
             .where(Booking.starts_at >= low, Booking.starts_at < high, Booking.status.in_(ACTIVE_STATUSES))
             .group_by(day))
    found = {(d if isinstance(d, date) else date.fromisoformat(d)): (n, m)
             for d, n, m in db.session.execute(_scoped(query, visible))}
    return [DayLoad(first + timedelta(days=i), *found.get(first + timedelta(days=i), (0, 0)))
            for i in range(days)]


def pending_confirmations(visible, limit: int = 10) -> tuple[int, list[Booking]]:
    """How many wait for a confirmation, and the longest-waiting first."""
    waiting_since = func.coalesce(Booking.paid_at, Booking.created_at)
    base = select(Booking).where(Booking.status == "pending_confirmation")
    rows = list(db.session.scalars(_scoped(base.options(_LIST_COLUMNS)
                                           .order_by(waiting_since, Booking.id).limit(limit), visible)))
    count = db.session.scalar(_scoped(select(func.count()).select_from(Booking)
                                      .where(Booking.status == "pending_confirmation"), visible))
    return count, rows


def expiring_holds(visible, now: datetime, limit: int = 10) -> list[Booking]:
    """Unpaid holds still running, the soonest to expire first."""
    query = (select(Booking).options(_LIST_COLUMNS)
             .where(Booking.status == "pending_payment", Booking.hold_expires_at > now)
             .order_by(Booking.hold_expires_at, Booking.id).limit(limit))
    return list(db.session.scalars(_scoped(query, visible)))


def month_revenue(visible, today: date, zone: ZoneInfo) -> list[tuple[str, object, int]]:
    """(currency, revenue, bookings) for consultations of the viewer's current month (see revenue.py)."""
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    low, high = _bounds(first, last, zone)
    query = (select(Booking.currency, func.sum(booking_revenue()), func.count())
             .where(Booking.starts_at >= low, Booking.starts_at < high, counts_as_revenue())
             .group_by(Booking.currency).order_by(Booking.currency))
    return [tuple(row) for row in db.session.execute(_scoped(query, visible))]


def popular_types(visible, today: date, zone: ZoneInfo, days: int = 30, limit: int = 5) -> list[tuple[str, int]]:
    """The most booked consultation types over the last `days` days (not cancelled)."""
    low, high = _bounds(today - timedelta(days=days - 1), today, zone)
    query = (select(Booking.consultation_type_id, func.count())
             .where(Booking.starts_at >= low, Booking.starts_at < high, Booking.status != "cancelled")
             .group_by(Booking.consultation_type_id)
             .order_by(func.count().desc(), Booking.consultation_type_id).limit(limit))
    rows = db.session.execute(_scoped(query, visible)).all()
    titles = dict(db.session.execute(select(ConsultationType.id, ConsultationType.title_en)
                                     .where(ConsultationType.id.in_([r[0] for r in rows]))).all())
    return [(titles.get(type_id, str(type_id)), count) for type_id, count in rows]
