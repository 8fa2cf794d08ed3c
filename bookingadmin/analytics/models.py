"""Rollup tables: bookings pre-aggregated per day, filled by `flask refresh-analytics`.

Days and hours are on the reporting clock (ANALYTICS_TIMEZONE, default DEFAULT_TIMEZONE), and a
booking counts on the day of its consultation (`starts_at`). These rows are derived data: a full
refresh rebuilds them from the bookings at any time.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.types import UTCDateTime
from ..bookings.models import Booking
from ..extensions import db
from . import sql  # noqa: F401  (registers the SQLite functions the rollups use)


class BookingDayRollup(db.Model):
    """Per reporting day, coach, type, currency and duration: counts, money and minutes."""

    __tablename__ = "analytics_booking_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    coach_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    consultation_type_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    duration_minutes: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)

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


class StartHourRollup(db.Model):
    """Bookings per reporting day, coach, type and start hour (the weekday × hour heatmap)."""

    __tablename__ = "analytics_start_hours"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    coach_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    consultation_type_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
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
# by `updated_at`, substring search (PostgreSQL trigram indexes; plain indexes on SQLite), the
# dashboard's revenue, and the filtered lists' keyset order (`starts_at, id` behind each filter).

_TRGM = {"postgresql_using": "gin"}
Index("ix_bookings_updated_at", Booking.updated_at)
Index("ix_bookings_payment_status_starts_at", Booking.payment_status, Booking.starts_at)
for _column in ("number", "customer_name", "customer_email", "customer_phone"):
    Index(f"ix_bookings_{_column}_trgm", getattr(Booking, _column),
          postgresql_ops={_column: "gin_trgm_ops"}, **_TRGM)
Index("ix_bookings_revenue_starts_at", Booking.starts_at,
      postgresql_where=Booking.payment_status.in_(("paid", "partially_refunded")),
      postgresql_include=["currency", "amount", "coach_id", "customer_id"])
Index("ix_bookings_confirmed_starts_at", Booking.starts_at,
      postgresql_where=Booking.confirmed_at.is_not(None),
      postgresql_include=["coach_id", "consultation_type_id", "created_at", "paid_at", "confirmed_at"])
