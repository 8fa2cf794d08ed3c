"""Coach availability as stored: local wall-clock times, expanded in the coach's IANA zone by the engine."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.policy import owned_by, through
from ..catalog.models import CoachProfile
from ..core.clock import utcnow
from ..core.types import UTCDateTime
from ..extensions import db

# An end of 00:00 is midnight at the end of the day (24:00), as in the engine. "< '00:00:01'"
# matches it on PostgreSQL's time and on SQLite's text times alike.
ENDS_AFTER_START = "(end_time > start_time OR end_time < '00:00:01')"


class WeeklyHours(db.Model):
    """One working interval on a weekday (several per day; the gaps are breaks); it may end at 24:00 (00:00)."""

    __tablename__ = "weekly_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint(ENDS_AFTER_START, name="interval_order"),
        Index("ix_weekly_hours_coach", "coach_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id", ondelete="CASCADE"))
    weekday: Mapped[int]  # 0 = Monday
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    # None: every type the coach offers; otherwise only these consultation type ids.
    consultation_type_ids: Mapped[list | None] = mapped_column(JSON)

    coach = relationship("CoachProfile")


class DateOverride(db.Model):
    """A local date that differs from the weekly hours: blocked (holiday, leave) or custom hours.

    A blocked row has no times; custom hours are one row per interval on that date.
    """

    __tablename__ = "date_overrides"
    __table_args__ = (
        CheckConstraint("(blocked AND start_time IS NULL AND end_time IS NULL) OR "
                        f"(NOT blocked AND start_time IS NOT NULL AND end_time IS NOT NULL AND {ENDS_AFTER_START})",
                        name="shape"),
        Index("ix_date_overrides_coach_day", "coach_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    blocked: Mapped[bool] = mapped_column(default=True)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    reason: Mapped[str] = mapped_column(String(200), default="")

    coach = relationship("CoachProfile")


class Slot(db.Model):
    """An explicit bookable time a coach opened, with a number of seats."""

    __tablename__ = "slots"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="interval_order"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        Index("ix_slots_coach_day", "coach_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    capacity: Mapped[int] = mapped_column(default=1)
    consultation_type_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_types.id", ondelete="SET NULL"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    coach = relationship("CoachProfile")
    consultation_type = relationship("ConsultationType")


class AvailabilityChange(db.Model):
    """Who changed a coach's availability, when, and what: the editor's history.

    Written by every editing service (availability/editing.py); never edited afterwards.
    """

    __tablename__ = "availability_changes"
    __table_args__ = (Index("ix_availability_changes_coach", "coach_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # None: the system
    action: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    coach = relationship("CoachProfile")
    actor = relationship("User")


for _model in (WeeklyHours, DateOverride, Slot, AvailabilityChange):  # a coach's time is that coach's
    owned_by(_model, coach=through(_model.coach_id, CoachProfile))
