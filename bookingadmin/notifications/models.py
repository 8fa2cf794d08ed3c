"""Emails: who each one goes to and what it says. Its queueing state (due time, status, attempts,
the claim, the last error) is its job's in the one outbox (core/outbox); this table keeps what is
particular to an email: recipient, language, the facts it was written with, its Message-ID and when
it went.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..auth.models import User
from ..core.clock import utcnow
from ..core.outbox.models import OutboxJob, WorkerHeartbeat  # noqa: F401  (heartbeats moved to core)
from ..core.types import UTCDateTime
from ..extensions import db

# An email's job status, in the words of a delivery log ("done" is "sent").
EMAIL_STATUS = {"running": "sending", "done": "sent"}

# A column this domain adds to another domain's table (created by migration 0007), declared here
# so that auth/ stays untouched by this workstream. (The feed secret is calendar/models.py's.)
User.notify_new_bookings = mapped_column(Boolean, default=False, server_default=false(), nullable=False,
                                         doc="Staff opt-in: email me about new, cancelled and moved bookings")


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_booking", "booking_id", "id"),
        Index("ix_notifications_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Its job in the outbox (kind "notifications.email"): one job per email, created together.
    job_id: Mapped[int] = mapped_column(ForeignKey("outbox_jobs.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(40))  # booking_created, confirmed, reminder, ...
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("booking_events.id", ondelete="SET NULL"))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id", ondelete="SET NULL"))
    resent_from_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id", ondelete="SET NULL"))

    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recipient_role: Mapped[str] = mapped_column(String(16), default="customer")  # customer, coach, staff
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    recipient_name: Mapped[str | None] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(2), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Facts frozen when the row was written (times at that moment, refund amount, .ics sequence).
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    job = relationship(OutboxJob, backref=backref("email", uselist=False), foreign_keys=[job_id])
    booking = relationship("Booking")
    recipient = relationship("User", foreign_keys=[recipient_user_id])
    receipt = relationship("Receipt", foreign_keys=[receipt_id])

    @property
    def status(self) -> str:
        return EMAIL_STATUS.get(self.job.status, self.job.status)

    @property
    def attempts(self) -> int:
        return self.job.attempts

    @property
    def last_error(self) -> str | None:
        return self.job.last_error

    @property
    def due_at(self) -> datetime:
        return self.job.due_at

    @property
    def depends_on(self) -> OutboxJob | None:
        """The job this email waits for (its receipt's rendering; the receipt itself is `receipt`)."""
        return self.job.depends_on

    @property
    def is_open(self) -> bool:
        return self.job.is_open

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_email} ({self.status})"

