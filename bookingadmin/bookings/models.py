"""A booking and its audit trail. Only bookings/lifecycle.py changes `status`."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.policy import owned_by, owned_like, through, user_column
from ..catalog.models import CoachProfile
from ..core.clock import utcnow
from ..core.crypto import decrypt_json, encrypt_json
from ..core.money import CURRENCIES, PAYMENT_METHODS
from ..core.types import UTCDateTime, sql_in
from ..extensions import db

STATUSES = ("pending_payment", "pending_confirmation", "confirmed", "rescheduled", "completed", "no_show",
            "cancelled")
# Statuses that hold the coach's time.
ACTIVE_STATUSES = ("pending_payment", "pending_confirmation", "confirmed", "rescheduled")
PAYMENT_STATUSES = ("unpaid", "not_required", "authorized", "paid", "partially_refunded", "refunded")
# How a booking was settled: a payment method, or "free" (nothing to pay).
BOOKING_PAYMENT_METHODS = PAYMENT_METHODS + ("free",)
MEETING_TYPES = ("online", "in_person")
SOURCES = ("web", "mobile", "admin", "api")
CANCELLED_BY = ("customer", "staff", "system")


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status"),
        CheckConstraint(f"payment_status IN {sql_in(PAYMENT_STATUSES)}", name="payment_status"),
        CheckConstraint(f"payment_method IS NULL OR payment_method IN {sql_in(BOOKING_PAYMENT_METHODS)}", name="payment_method"),
        CheckConstraint(f"meeting_type IN {sql_in(MEETING_TYPES)}", name="meeting_type"),
        CheckConstraint(f"source IN {sql_in(SOURCES)}", name="source"),
        CheckConstraint(f"cancelled_by IS NULL OR cancelled_by IN {sql_in(CANCELLED_BY)}", name="cancelled_by"),
        CheckConstraint(f"currency IN {sql_in(CURRENCIES)}", name="currency"),
        CheckConstraint("ends_at > starts_at", name="time_order"),
        CheckConstraint("busy_until >= ends_at AND busy_from <= starts_at", name="busy_covers_time"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("feedback_rating IS NULL OR feedback_rating BETWEEN 1 AND 5", name="feedback_rating"),
        Index("ix_bookings_status_starts_at", "status", "starts_at"),
        Index("ix_bookings_starts_at", "starts_at"),
        Index("ix_bookings_coach_starts_at", "coach_id", "starts_at"),
        Index("ix_bookings_customer_starts_at", "customer_id", "starts_at"),
        Index("ix_bookings_created_at", "created_at"),
        Index("ix_bookings_slot", "slot_id"),
        Index("ix_bookings_hold_expires_at", "hold_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # CB-YYYYMMDD-XXXX

    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    customer_name: Mapped[str] = mapped_column(String(120))
    customer_email: Mapped[str] = mapped_column(String(254))
    customer_phone: Mapped[str] = mapped_column(String(20), default="")

    consultation_type_id: Mapped[int] = mapped_column(ForeignKey("consultation_types.id"))
    type_title_en: Mapped[str] = mapped_column(String(200))
    type_title_ar: Mapped[str] = mapped_column(String(200), default="")
    type_category: Mapped[str] = mapped_column(String(20))
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id"))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id"))

    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The coach's time this booking keeps from others: its time widened by the type's buffers.
    busy_from: Mapped[datetime] = mapped_column(UTCDateTime)
    busy_until: Mapped[datetime] = mapped_column(UTCDateTime)
    # True for one-to-one types: the database refuses overlapping exclusive bookings of a coach.
    exclusive: Mapped[bool] = mapped_column(default=True)
    duration_minutes: Mapped[int]
    timezone: Mapped[str] = mapped_column(String(64))  # the customer's zone when booking
    preferred_date: Mapped[date | None] = mapped_column(Date)
    preferred_time: Mapped[time | None] = mapped_column(Time)
    alternative_date: Mapped[date | None] = mapped_column(Date)
    alternative_time: Mapped[time | None] = mapped_column(Time)

    meeting_type: Mapped[str] = mapped_column(String(10), default="online")
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    meeting_password: Mapped[str | None] = mapped_column(String(100))
    meeting_location: Mapped[str | None] = mapped_column(String(500))

    intake_encrypted: Mapped[str | None] = mapped_column(Text)

    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    payment_status: Mapped[str] = mapped_column(String(20), default="unpaid")
    payment_method: Mapped[str | None] = mapped_column(String(20))

    status: Mapped[str] = mapped_column(String(24), default="pending_payment")
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    no_show_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by: Mapped[str | None] = mapped_column(String(10))
    rescheduled_from_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reschedule_count: Mapped[int] = mapped_column(default=0)

    admin_notes: Mapped[str | None] = mapped_column(Text)
    follow_up_required: Mapped[bool] = mapped_column(default=False)
    follow_up_notes: Mapped[str | None] = mapped_column(Text)
    follow_up_date: Mapped[date | None] = mapped_column(Date)

    feedback_rating: Mapped[int | None]
    feedback_comment: Mapped[str | None] = mapped_column(Text)
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    source: Mapped[str] = mapped_column(String(10), default="web")
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(400))

    customer = relationship("User", foreign_keys=[customer_id])
    consultation_type = relationship("ConsultationType")
    coach = relationship("CoachProfile")
    slot = relationship("Slot")
    events: Mapped[list["BookingEvent"]] = relationship(
        back_populates="booking", order_by="BookingEvent.id", cascade="all, delete-orphan")

    @property
    def intake(self) -> dict:
        """The customer's intake details (health data), decrypted."""
        return decrypt_json(self.intake_encrypted)

    @intake.setter
    def intake(self, value: dict | None) -> None:
        self.intake_encrypted = encrypt_json(value)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def __str__(self) -> str:
        return self.number


class BookingEvent(db.Model):
    """Who did what to a booking, when, and why. Written by every lifecycle function."""

    __tablename__ = "booking_events"
    __table_args__ = (
        Index("ix_booking_events_booking", "booking_id", "id"),
        Index("ix_booking_events_created_at", "created_at"),
        Index("ix_booking_events_actor", "actor_id"),
        Index("ix_booking_events_action", "action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    actor_role: Mapped[str] = mapped_column(String(16), default="system")
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="events")
    actor = relationship("User")


owned_by(Booking, coach=through(Booking.coach_id, CoachProfile), customer=user_column(Booking.customer_id))
owned_like(BookingEvent, BookingEvent.booking_id, Booking)
