"""Rollup tables: bookings pre-aggregated per day, filled by `flask refresh-analytics`.

Days and hours are on the reporting clock (ANALYTICS_TIMEZONE, default DEFAULT_TIMEZONE), and a
booking counts on the day of its consultation (`starts_at`). These rows are derived data: a full
refresh rebuilds them from the bookings at any time.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Index, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column

from ..core.types import UTCDateTime
from ..bookings.models import Booking
from ..extensions import db
from . import sql  # noqa: F401  (registers the SQLite functions the rollups use)


ALL = 0  # coach_id / consultation_type_id of a row that sums over every coach / every type


class BookingDayRollup(db.Model):
    """Per reporting day and currency: counts, money and minutes, at four levels.

    (coach, type) rows come from the bookings; (coach, ALL), (ALL, type) and (ALL, ALL) rows sum
    them, so an unfiltered chart reads a few rows a day whatever the number of coaches and types.
    """

    __tablename__ = "analytics_booking_days"
    __table_args__ = (Index("ix_analytics_booking_days_type_day", "consultation_type_id", "day"),
                      Index("ix_analytics_booking_days_day", "day"))

    coach_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    consultation_type_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)

    bookings: Mapped[int] = mapped_column(default=0)
    pending_payment: Mapped[int] = mapped_column(default=0)
    pending_confirmation: Mapped[int] = mapped_column(default=0)
    confirmed: Mapped[int] = mapped_column(default=0)
    rescheduled: Mapped[int] = mapped_column(default=0)
    completed: Mapped[int] = mapped_column(default=0)
    no_show: Mapped[int] = mapped_column(default=0)
    cancelled: Mapped[int] = mapped_column(default=0)
    paid: Mapped[int] = mapped_column(default=0)  # paid at some point, or free
    revenue: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    revenue_bookings: Mapped[int] = mapped_column(default=0)
    booked_minutes: Mapped[int] = mapped_column(default=0)
    rating_count: Mapped[int] = mapped_column(default=0)
    rating_sum: Mapped[int] = mapped_column(default=0)
    rating_1: Mapped[int] = mapped_column(default=0)
    rating_2: Mapped[int] = mapped_column(default=0)
    rating_3: Mapped[int] = mapped_column(default=0)
    rating_4: Mapped[int] = mapped_column(default=0)
    rating_5: Mapped[int] = mapped_column(default=0)


class DurationRollup(db.Model):
    """Bookings per reporting day and duration, at the same four levels."""

    __tablename__ = "analytics_durations"
    __table_args__ = (Index("ix_analytics_durations_day", "day"),)

    coach_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    consultation_type_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    duration_minutes: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    bookings: Mapped[int] = mapped_column(default=0)


class StartHourRollup(db.Model):
    """Bookings per reporting day and start hour (the weekday × hour heatmap), at the same four levels."""

    __tablename__ = "analytics_start_hours"
    __table_args__ = (Index("ix_analytics_start_hours_day", "day"),)

    coach_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    consultation_type_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    bookings: Mapped[int] = mapped_column(default=0)


class CoachDayRollup(db.Model):
    """Minutes a coach made available on a day of their own calendar (weekly hours, overrides, slots)."""

    __tablename__ = "analytics_coach_days"
    __table_args__ = (Index("ix_analytics_coach_days_coach", "coach_id", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    coach_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    available_minutes: Mapped[int] = mapped_column(default=0)


class RollupRefresh(db.Model):
    """One row per refresh: when, how far the bookings were read, and for which reporting zone."""

    __tablename__ = "analytics_refreshes"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    watermark: Mapped[datetime] = mapped_column(UTCDateTime)  # bookings updated before this are in
    timezone: Mapped[str] = mapped_column(String(64))
    full: Mapped[bool] = mapped_column(default=False)
    days: Mapped[int] = mapped_column(default=0)


# --------------------------------------------------------------------------- indexes on bookings
# The back office reads the bookings table in ways the lifecycle does not: incremental rollups
# by `updated_at`; search (PostgreSQL trigram indexes for "contains", a pattern index for email
# prefixes; plain indexes on SQLite); the payment-status filter; the dashboard's counts and revenue
# and the median time to confirm (covering indexes, read without touching the table).

_TRGM = {"postgresql_using": "gin"}
Index("ix_bookings_updated_at", Booking.updated_at)
Index("ix_bookings_payment_status_starts_at", Booking.payment_status, Booking.starts_at)
for _column in ("number", "customer_name", "customer_email", "customer_phone"):
    Index(f"ix_bookings_{_column}_trgm", getattr(Booking, _column),
          postgresql_ops={_column: "gin_trgm_ops"}, **_TRGM)
Index("ix_bookings_customer_email_prefix", Booking.customer_email,
      postgresql_ops={"customer_email": "varchar_pattern_ops"})
Index("ix_bookings_starts_at_summary", Booking.starts_at,
      postgresql_include=["status", "consultation_type_id", "coach_id", "duration_minutes"])
Index("ix_bookings_revenue_starts_at", Booking.starts_at,
      postgresql_where=Booking.payment_status.in_(("paid", "partially_refunded")),
      postgresql_include=["currency", "amount", "coach_id", "customer_id"])
Index("ix_bookings_waited_starts_at", Booking.starts_at,
      postgresql_where=Booking.confirmed_at > func.coalesce(Booking.paid_at, Booking.created_at),
      postgresql_include=["coach_id", "consultation_type_id", "created_at", "paid_at", "confirmed_at"])
