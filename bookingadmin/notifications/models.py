"""The outbox: one row per email or receipt rendering, written in the transaction that causes it.

A row is handed to RQ (or run inline) after commit; the sweep hands over rows that are due and still
queued. A job claims its row with a conditional UPDATE (queued -> sending), so two runs of the same
job never both do the work, and a row that is sent, failed or cancelled is never touched again.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.clock import utcnow
from ..core.types import UTCDateTime, sql_in
from ..extensions import db

STATUSES = ("queued", "sending", "sent", "failed", "cancelled")
OPEN_STATUSES = ("queued", "sending")
CHANNELS = ("email", "receipt")

# A column this domain adds to another domain's table (created by migration 0007), declared here
# so that auth/ stays untouched by this workstream. (The feed secret is calendar/models.py's.)
User.notify_new_bookings = mapped_column(Boolean, default=False, server_default=false(), nullable=False,
                                         doc="Staff opt-in: email me about new, cancelled and moved bookings")


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status"),
        CheckConstraint(f"channel IN {sql_in(CHANNELS)}", name="channel"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_notifications_status_due_at", "status", "due_at"),
        Index("ix_notifications_booking", "booking_id", "id"),
        Index("ix_notifications_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique per cause ("confirmed:event-12:customer", "reminder:7:24h:2026-03-01T10:00"), so a
    # receiver or planner that runs twice adds nothing. Resends have none.
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(10), default="email")
    kind: Mapped[str] = mapped_column(String(40))
    queue: Mapped[str] = mapped_column(String(20), default="emails")
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("booking_events.id", ondelete="SET NULL"))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id", ondelete="SET NULL"))
    # Waits for this row (the payment email waits for its receipt PDF).
    depends_on_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id", ondelete="SET NULL"))
    resent_from_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id", ondelete="SET NULL"))

    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recipient_role: Mapped[str] = mapped_column(String(16), default="customer")  # customer, coach, staff
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    recipient_name: Mapped[str | None] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(2), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Facts frozen when the row was written (times at that moment, refund amount, .ics sequence).
    payload: Mapped[dict] = mapped_column(JSON, default=dict)

    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    booking = relationship("Booking")
    recipient = relationship("User", foreign_keys=[recipient_user_id])
    depends_on = relationship("Notification", remote_side=[id], foreign_keys=[depends_on_id])
    receipt = relationship("Receipt", foreign_keys=[receipt_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_email or self.channel} ({self.status})"


class WorkerHeartbeat(db.Model):
    """When a background loop (the sweep, a worker) last ran: the dashboard shows silent failures."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    details: Mapped[dict | None] = mapped_column(JSON)
