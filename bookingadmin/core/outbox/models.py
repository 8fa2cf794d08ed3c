"""The outbox table: one row per piece of work after commit, whatever its kind.

The queueing state (due time, status, attempts, the claim, the last error) lives here for every
kind; what the work is about lives in `payload` (ids, never objects) and, for emails, in the
notifications domain's own table. `claimed_by` names the worker's heartbeat, so a dead worker's
rows can be reclaimed as soon as its heartbeat stops (issue 16), not only after the claim timeout.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ..clock import utcnow
from ..types import UTCDateTime, sql_in

STATUSES = ("queued", "running", "done", "failed", "cancelled")
OPEN_STATUSES = ("queued", "running")


class OutboxJob(db.Model):
    __tablename__ = "outbox_jobs"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_outbox_jobs_status_due_at", "status", "due_at"),
        Index("ix_outbox_jobs_booking", "booking_id", "id"),
        Index("ix_outbox_jobs_kind", "kind"),
        Index("ix_outbox_jobs_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))  # a registered kind: "notifications.email", "payments.refund"
    # Unique per cause ("refund-12", "receipt:3:rev-2", "confirmed:event-7:a@b.c"): writing the same
    # cause twice gives one row. Resends have their own.
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    queue: Mapped[str] = mapped_column(String(20), default="default")
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    # The booking it concerns, for the booking's panel and the delivery log (none for some kinds).
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    # Waits for this job (the payment email waits for its receipt PDF).
    depends_on_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_jobs.id", ondelete="SET NULL"))

    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first try: temporary failures are retried until OUTBOX_RETRY_HORIZON_HOURS after it.
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)  # or why it was cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    depends_on = relationship("OutboxJob", remote_side=[id], foreign_keys=[depends_on_id])
    booking = relationship("Booking")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __str__(self) -> str:
        return f"{self.kind} #{self.id} ({self.status})"


class WorkerHeartbeat(db.Model):
    """When a background loop (the sweep, a worker) last ran: the dashboard shows silent failures."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    details: Mapped[dict | None] = mapped_column(JSON)


def beat(name: str, now: datetime, details: dict | None = None) -> None:
    """Record that loop `name` ran at `now` (the caller commits)."""
    row = db.session.get(WorkerHeartbeat, name)
    if row is None:
        db.session.add(WorkerHeartbeat(name=name, beat_at=now, details=details))
    else:
        row.beat_at, row.details = now, details
