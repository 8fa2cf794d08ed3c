"""Emails in the one outbox: each email is a job of kind "notifications.email" plus a row here
with what is particular to it (recipient, language, frozen facts, later its Message-ID).

Both are written in the caller's transaction, so a rollback leaves neither; the job's key is unique
per cause, so writing the same cause twice gives one email. Claiming, retries, the sweep and the
delivery log are the outbox's (core/outbox); this module only says what an email is.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from ..core import outbox
from ..core.outbox import OutboxJob
from ..extensions import db
from .models import Notification

KIND = "notifications.email"


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    language: str = "en"
    timezone: str = "UTC"
    user_id: int | None = None
    role: str = "customer"


def add(*, kind: str, key: str | None, now: datetime, booking_id: int | None = None,
        recipient: Recipient | None = None, payload: dict | None = None, due_at: datetime | None = None,
        event_id: int | None = None, receipt_id: int | None = None, depends_on: OutboxJob | None = None,
        revive: bool = False) -> Notification:
    """One email for `key` (the existing one if that cause was already written), sent after commit.

    `revive=True` turns a cancelled email with this key back to queued (a reminder re-planned for a
    time the booking had before); an email that was sent is never revived.
    """
    job = outbox.add(KIND, key=key, now=now, booking_id=booking_id, due_at=due_at, depends_on=depends_on,
                     revive=revive)
    existing = for_job(job)
    if existing is not None:
        return existing
    row = Notification(job=job, kind=kind, booking_id=booking_id, event_id=event_id, receipt_id=receipt_id,
                       payload=payload or {}, created_at=now)
    if recipient is not None:
        row.recipient_email, row.recipient_name = recipient.email, recipient.name
        row.language, row.timezone = recipient.language, recipient.timezone
        row.recipient_user_id, row.recipient_role = recipient.user_id, recipient.role
    db.session.add(row)
    db.session.flush()
    job.payload = {"notification_id": row.id}
    return row


def for_job(job: OutboxJob) -> Notification | None:
    return db.session.scalar(select(Notification).where(Notification.job_id == job.id))


def cancel_open(*, booking_id: int, kinds: tuple[str, ...], reason: str, now: datetime) -> int:
    """Cancel queued emails of these kinds for a booking (reminders of a cancelled booking); how many."""
    job_ids = db.session.scalars(select(Notification.job_id).where(
        Notification.booking_id == booking_id, Notification.kind.in_(kinds)))
    return outbox.cancel(job_ids, reason=reason, now=now)


RESEND_WINDOW = timedelta(minutes=1)


def resend(row: Notification, *, actor, now: datetime) -> Notification:
    """A new email with the same content as `row`, to the same recipient, queued now.

    At most one at a time: the original's job row is locked, and a resend of it that is still open
    (or was made within RESEND_WINDOW: a double click) is returned instead of a second copy.
    """
    db.session.execute(select(OutboxJob.id).where(OutboxJob.id == row.job_id).with_for_update())
    pending = db.session.scalar(
        select(Notification).join(OutboxJob, Notification.job_id == OutboxJob.id)
        .where(Notification.resent_from_id == row.id,
               or_(OutboxJob.status.in_(outbox.OPEN_STATUSES), Notification.created_at > now - RESEND_WINDOW))
        .order_by(Notification.id.desc()).limit(1))
    if pending is not None:
        return pending
    copy = add(kind=row.kind, key=None, now=now, booking_id=row.booking_id, event_id=row.event_id,
               receipt_id=row.receipt_id,
               recipient=Recipient(email=row.recipient_email, name=row.recipient_name, language=row.language,
                                   timezone=row.timezone, user_id=row.recipient_user_id, role=row.recipient_role),
               payload={**(row.payload or {}), "resent_by": getattr(actor, "id", None)}, due_at=now)
    copy.resent_from_id = row.id
    return copy
