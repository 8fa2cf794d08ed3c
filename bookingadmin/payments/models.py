"""Payments, refunds and processed Stripe webhook events.

Amounts are Decimal in the booking's currency; Stripe's integer minor units appear only in the
gateway. A Payment is one attempt to take money (a PaymentIntent, or cash / a bank transfer
recorded by staff); a Refund gives part of one payment back.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.policy import owned_like
from ..bookings.models import Booking
from ..core.clock import utcnow
from ..core.money import CURRENCIES, PAYMENT_METHODS
from ..core.types import UTCDateTime, sql_in
from ..extensions import db

MANUAL_METHODS = tuple(m for m in PAYMENT_METHODS if m != "stripe")
# pending: created, the customer has not finished; requires_action: 3-D Secure under way;
# authorized: money held (manual capture), not taken; succeeded: money taken;
# failed: declined or errored (a new attempt gets a new Payment); cancelled: released / abandoned
# (Stripe's "canceled" is mapped at the gateway, payments/gateway.py).
PAYMENT_STATUSES = ("pending", "requires_action", "authorized", "succeeded", "failed", "cancelled")
OPEN_PAYMENT_STATUSES = ("pending", "requires_action", "authorized")
# What must still be done at Stripe after commit (capture an authorization, release it).
PENDING_ACTIONS = ("capture", "release")
REFUND_STATUSES = ("pending", "succeeded", "failed")
REFUND_SOURCES = ("cancellation", "rejection", "staff", "late_payment", "duplicate_payment")


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(f"method IN {sql_in(PAYMENT_METHODS)}", name="method"),
        CheckConstraint(f"status IN {sql_in(PAYMENT_STATUSES)}", name="status"),
        CheckConstraint(f"currency IN {sql_in(CURRENCIES)}", name="currency"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(f"pending_action IS NULL OR pending_action IN {sql_in(PENDING_ACTIONS)}",
                        name="pending_action"),
        CheckConstraint("capture_method IN ('automatic', 'manual')", name="capture_method"),
        Index("ix_payments_booking", "booking_id"),
        Index("ix_payments_pending_action", "pending_action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    capture_method: Mapped[str] = mapped_column(String(10), default="automatic")
    # Stripe: the PaymentIntent and the idempotency key it was created with (one per attempt).
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    pending_action: Mapped[str | None] = mapped_column(String(10))
    failure_message: Mapped[str | None] = mapped_column(Text)
    # Manual payments: who took the money, and the bank reference or receipt note.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reference: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking = relationship("Booking", backref=db.backref("payments", order_by="Payment.id",
                                                         cascade="all, delete-orphan"))
    recorded_by = relationship("User")
    refunds: Mapped[list["Refund"]] = relationship(back_populates="payment", order_by="Refund.id")

    def __str__(self) -> str:
        return f"{self.method} {self.amount} {self.currency} ({self.status})"


class Refund(db.Model):
    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(REFUND_STATUSES)}", name="status"),
        CheckConstraint(f"source IN {sql_in(REFUND_SOURCES)}", name="source"),
        CheckConstraint(f"currency IN {sql_in(CURRENCIES)}", name="currency"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_refunds_booking", "booking_id"),
        Index("ix_refunds_payment", "payment_id"),
        Index("ix_refunds_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    source: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    # The caller's key (a form nonce, "cancel-<event id>"): the same key never refunds twice.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    failure_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking = relationship("Booking", backref=db.backref("refunds", order_by="Refund.id",
                                                         cascade="all, delete-orphan"))
    payment: Mapped[Payment] = relationship(back_populates="refunds")
    created_by = relationship("User")

    def __str__(self) -> str:
        return f"refund {self.amount} {self.currency} ({self.status})"


class ProcessedWebhookEvent(db.Model):
    """A Stripe event id seen once; a replayed delivery finds its row and changes nothing."""

    __tablename__ = "processed_webhook_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # Stripe's evt_...
    type: Mapped[str] = mapped_column(String(100))
    payment_intent_id: Mapped[str | None] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


owned_like(Payment, Payment.booking_id, Booking)  # a booking's money is its coach's and its customer's
owned_like(Refund, Refund.booking_id, Booking)
