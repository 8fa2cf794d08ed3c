"""Consultation types, their duration/price options, and coach profiles."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Integer, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..auth.policy import owned_by, user_column
from ..core.clock import utcnow
from ..core.money import CURRENCIES
from ..core.types import UTCDateTime, sql_in
from ..core.validation import check_timezone
from ..extensions import db

CATEGORIES = ("sports", "life_coaching", "group", "vip", "nutrition")
MEETING_MODES = ("online", "in_person", "both")
SLOT_STEPS = (5, 10, 15, 30, 60)

coach_consultation_types = Table(
    "coach_consultation_types",
    db.metadata,
    Column("coach_id", ForeignKey("coach_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("consultation_type_id", ForeignKey("consultation_types.id", ondelete="CASCADE"), primary_key=True),
)


class ConsultationType(db.Model):
    __tablename__ = "consultation_types"
    __table_args__ = (
        CheckConstraint(f"category IN {sql_in(CATEGORIES)}", name="category"),
        CheckConstraint(f"meeting_mode IN {sql_in(MEETING_MODES)}", name="meeting_mode"),
        CheckConstraint(f"currency IN {sql_in(CURRENCIES)}", name="currency"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("buffer_before_minutes >= 0 AND buffer_after_minutes >= 0", name="buffers"),
        CheckConstraint("min_notice_minutes >= 0", name="min_notice"),
        CheckConstraint("horizon_days >= 1", name="horizon"),
        CheckConstraint("max_bookings_per_day IS NULL OR max_bookings_per_day >= 1", name="max_per_day"),
        CheckConstraint(f"slot_step_minutes IN {sql_in(SLOT_STEPS)}", name="slot_step"),
        CheckConstraint("refund_partial_percent BETWEEN 0 AND 100", name="refund_percent"),
        CheckConstraint("refund_full_hours >= refund_partial_hours AND refund_partial_hours >= 0", name="refund_windows"),
        CheckConstraint("reschedule_min_hours >= 0", name="reschedule_window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    title_ar: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_ar: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20))
    duration_label: Mapped[str] = mapped_column(String(60), default="")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    features: Mapped[list] = mapped_column(JSON, default=list)
    image_url: Mapped[str | None] = mapped_column(String(500))
    is_active: Mapped[bool] = mapped_column(default=True)
    # None: no daily limit. (No column default: it would silently replace an explicit None.)
    max_bookings_per_day: Mapped[int | None] = mapped_column(Integer)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    meeting_mode: Mapped[str] = mapped_column(String(10), default="both")
    capacity: Mapped[int] = mapped_column(default=1)
    buffer_before_minutes: Mapped[int] = mapped_column(default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(default=0)
    min_notice_minutes: Mapped[int] = mapped_column(default=120)
    horizon_days: Mapped[int] = mapped_column(default=60)
    slot_step_minutes: Mapped[int] = mapped_column(default=15)
    # Cancellation policy: full refund up to refund_full_hours before the start, refund_partial_percent
    # up to refund_partial_hours before, nothing after. Rescheduling allowed up to reschedule_min_hours before.
    refund_full_hours: Mapped[int] = mapped_column(default=48)
    refund_partial_hours: Mapped[int] = mapped_column(default=24)
    refund_partial_percent: Mapped[int] = mapped_column(default=50)
    reschedule_min_hours: Mapped[int] = mapped_column(default=24)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    duration_options: Mapped[list["DurationOption"]] = relationship(
        back_populates="consultation_type", cascade="all, delete-orphan", order_by="DurationOption.minutes")
    coaches: Mapped[list["CoachProfile"]] = relationship(
        secondary=coach_consultation_types, back_populates="consultation_types")

    def title(self, language: str = "en") -> str:
        return self.title_ar if language == "ar" and self.title_ar else self.title_en

    def description(self, language: str = "en") -> str:
        return self.description_ar if language == "ar" and self.description_ar else self.description_en

    @property
    def is_free(self) -> bool:
        return all(option.price == 0 for option in self.duration_options)

    def option_for(self, minutes: int) -> "DurationOption | None":
        return next((o for o in self.duration_options if o.minutes == minutes), None)

    @property
    def default_option(self) -> "DurationOption | None":
        options = self.duration_options
        return next((o for o in options if o.is_default), options[0] if options else None)

    def __str__(self) -> str:
        return f"{self.number} · {self.title_en}"


class DurationOption(db.Model):
    """One length a type is sold in, with its own price (30 min 50, 60 min 90, ...)."""

    __tablename__ = "duration_options"
    __table_args__ = (
        UniqueConstraint("consultation_type_id", "minutes", name="uq_duration_options_type_minutes"),
        CheckConstraint("minutes > 0", name="minutes_positive"),
        CheckConstraint("price >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_type_id: Mapped[int] = mapped_column(ForeignKey("consultation_types.id", ondelete="CASCADE"))
    minutes: Mapped[int]
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    is_default: Mapped[bool] = mapped_column(default=False)

    consultation_type: Mapped[ConsultationType] = relationship(back_populates="duration_options")

    def __str__(self) -> str:
        return f"{self.minutes} min"


class CoachProfile(db.Model):
    __tablename__ = "coach_profiles"
    __table_args__ = (
        CheckConstraint("years_experience IS NULL OR years_experience >= 0", name="experience"),
        CheckConstraint("rating >= 0 AND rating <= 5", name="rating_range"),
        CheckConstraint("review_count >= 0", name="review_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    display_name_en: Mapped[str] = mapped_column(String(120))
    display_name_ar: Mapped[str] = mapped_column(String(120), default="")
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    title: Mapped[str] = mapped_column(String(160), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    specialties: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    years_experience: Mapped[int | None]
    rating: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=Decimal("0"))
    review_count: Mapped[int] = mapped_column(default=0)
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Riyadh")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship("User")  # noqa: F821
    consultation_types: Mapped[list[ConsultationType]] = relationship(
        secondary=coach_consultation_types, back_populates="coaches")

    @validates("timezone")
    def _check_timezone(self, _key: str, value: str) -> str:
        return check_timezone(value)

    def display_name(self, language: str = "en") -> str:
        return self.display_name_ar if language == "ar" and self.display_name_ar else self.display_name_en

    def __str__(self) -> str:
        return self.display_name_en


owned_by(CoachProfile, coach=user_column(CoachProfile.user_id))  # a coach profile is its user's
