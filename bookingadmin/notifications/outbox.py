"""Outbox rows: write them in the caller's transaction, hand them over after commit, run each once.

Guarantees:
- a row is written with the change that causes it (same transaction), so a rollback leaves neither;
- `key` is unique, so writing the same cause twice gives one row;
- a job claims its row with `UPDATE ... SET status='sending' WHERE status='queued'` and commits the
  claim before it talks to the network, so a second run of the job (or a sweep racing it) finds
  nothing to do;
- a temporary failure puts the row back to queued with a later `due_at` (doubling each time) until
  OUTBOX_MAX_ATTEMPTS, then marks it failed, with the error kept for staff to see;
- a row left `sending` by a dead worker goes back to queued after OUTBOX_CLAIM_TIMEOUT_SECONDS.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..core.clock import utcnow
from ..core.jobs import enqueue, enqueue_now
from ..extensions import db
from .models import OPEN_STATUSES, Notification

log = logging.getLogger(__name__)

RUN_TASK = "bookingadmin.notifications.jobs.run_notification"
QUEUES = {"email": "emails", "receipt": "receipts"}


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    language: str = "en"
    timezone: str = "UTC"
    user_id: int | None = None
    role: str = "customer"


def add(*, kind: str, key: str | None, now: datetime, channel: str = "email", booking_id: int | None = None,
        recipient: Recipient | None = None, payload: dict | None = None, due_at: datetime | None = None,
        event_id: int | None = None, receipt_id: int | None = None, depends_on: Notification | None = None,
        revive: bool = False) -> Notification:
    """One outbox row for `key` (the existing one if that cause was already written), handed over after commit.

    `revive=True` turns a cancelled row with this key back to queued (a reminder re-planned for a
    time the booking had before); a row that was sent is never revived.
    """
    existing = _by_key(key) if key else None
    if existing is not None:
        return _revive(existing, due_at or now, now) if revive and existing.status == "cancelled" else existing
    # Without a due time it goes now; "now" as the service saw it may be ahead of the clock (tests, imports).
    row = Notification(key=key, kind=kind, channel=channel, queue=QUEUES[channel], booking_id=booking_id,
                       event_id=event_id, receipt_id=receipt_id, payload=payload or {},
                       depends_on_id=depends_on.id if depends_on is not None else None,
                       due_at=due_at or min(now, utcnow()), created_at=now, updated_at=now)
    if recipient is not None:
        row.recipient_email, row.recipient_name = recipient.email, recipient.name
        row.language, row.timezone = recipient.language, recipient.timezone
        row.recipient_user_id, row.recipient_role = recipient.user_id, recipient.role
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # the same cause written concurrently: keep theirs
        found = _by_key(key) if key else None
        if found is None:
            raise
        return found
    hand_over(row)
    return row


def _by_key(key: str) -> Notification | None:
    return db.session.scalar(select(Notification).where(Notification.key == key))


def _revive(row: Notification, due_at: datetime, now: datetime) -> Notification:
    row.status, row.due_at, row.attempts, row.last_error, row.updated_at = "queued", due_at, 0, None, now
    hand_over(row)
    return row


def hand_over(row: Notification) -> None:
    """Run the row's job after the current transaction commits (RQ, or inline)."""
    enqueue(RUN_TASK, row.id, queue=row.queue, at=row.due_at)


def cancel_open(*, booking_id: int, kinds: tuple[str, ...], reason: str, now: datetime) -> int:
    """Cancel queued rows of these kinds for a booking (reminders of a cancelled booking); how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.booking_id == booking_id, Notification.kind.in_(kinds),
               Notification.status == "queued")
        .values(status="cancelled", last_error=reason, updated_at=now)
        .execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


def resend(row: Notification, *, actor, now: datetime) -> Notification:
    """A new email with the same content as `row`, to the same recipient, queued now."""
    if row.channel != "email":
        raise ValueError("only emails can be resent")
    copy = Notification(
        key=None, kind=row.kind, channel=row.channel, queue=row.queue, booking_id=row.booking_id,
        event_id=row.event_id, receipt_id=row.receipt_id, resent_from_id=row.id,
        recipient_user_id=row.recipient_user_id, recipient_role=row.recipient_role,
        recipient_email=row.recipient_email, recipient_name=row.recipient_name, language=row.language,
        timezone=row.timezone, payload={**(row.payload or {}), "resent_by": getattr(actor, "id", None)},
        due_at=now, created_at=now, updated_at=now)
    db.session.add(copy)
    db.session.flush()
    hand_over(copy)
    return copy


# --------------------------------------------------------------------------- running one row


def claim(row_id: int, now: datetime) -> bool:
    """queued -> sending for this row, if it is still queued and due. True when this caller won it."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == row_id, Notification.status == "queued", Notification.due_at <= now)
        .values(status="sending", claimed_at=now, last_attempt_at=now, attempts=Notification.attempts + 1,
                updated_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def finish(row: Notification, *, now: datetime, status: str = "sent", note: str | None = None,
           message_id: str | None = None) -> None:
    row.status, row.updated_at = status, now
    if status == "sent":
        row.sent_at, row.last_error = now, None
    if note is not None:
        row.last_error = note
    if message_id:
        row.message_id = message_id


def record_failure(row: Notification, error: str, *, now: datetime, permanent: bool = False) -> None:
    """Back to queued with a later due time, or failed for good after the last attempt."""
    config = current_app.config
    row.last_error, row.updated_at = error[:4000], now
    if permanent or row.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
        row.status = "failed"
        return
    delay = min(config["OUTBOX_RETRY_SECONDS"] * 2 ** max(row.attempts - 1, 0), config["OUTBOX_RETRY_MAX_SECONDS"])
    row.status, row.due_at = "queued", now + timedelta(seconds=delay)
    hand_over(row)


def dependency_pending(row: Notification) -> bool:
    """The payment email waits while its receipt is still being rendered."""
    return row.depends_on is not None and row.depends_on.status in OPEN_STATUSES


def release_dependents(row: Notification, now: datetime) -> None:
    """Hand over the rows that were waiting for `row` (after commit)."""
    waiting = db.session.scalars(select(Notification).where(
        Notification.depends_on_id == row.id, Notification.status == "queued"))
    for dependent in waiting:
        if dependent.due_at <= now:
            hand_over(dependent)


# --------------------------------------------------------------------------- the sweep


@dataclass
class SweepResult:
    reclaimed: int = 0      # abandoned `sending` rows put back to queued
    handed_over: int = 0    # due rows given to RQ or run inline
    not_handed_over: int = 0  # Redis refused them; the next sweep tries again
    failed_total: int = 0   # rows failed for good (visible in the delivery log)


def sweep(now: datetime, *, limit: int = 500, kinds: tuple[str, ...] | None = None) -> SweepResult:
    """Hand over every due queued row (oldest first); give back rows claimed by a worker that died.

    Commits. Safe to run at any time and twice in a row: jobs claim their rows.
    """
    from .health import beat

    result = SweepResult(reclaimed=_reclaim_abandoned(now))
    due = select(Notification.id, Notification.queue).where(Notification.status == "queued",
                                                             Notification.due_at <= now)
    if kinds:
        due = due.where(Notification.kind.in_(kinds))
    queues = dict(db.session.execute(due.order_by(Notification.due_at, Notification.id).limit(limit)).all())
    due_ids = list(queues)
    result.failed_total = db.session.scalar(select(db.func.count()).select_from(Notification)
                                            .where(Notification.status == "failed")) or 0
    db.session.commit()
    for row_id in due_ids:  # `now` goes along: a sweep run for a later instant (a test) claims by it
        if enqueue_now(RUN_TASK, row_id, now.isoformat(), queue=queues[row_id]):
            result.handed_over += 1
        else:
            result.not_handed_over += 1
    beat("send-reminders" if kinds else "outbox-sweep", now, details={"handed_over": result.handed_over, "reclaimed": result.reclaimed,
                                       "not_handed_over": result.not_handed_over})
    db.session.commit()
    return result


def _reclaim_abandoned(now: datetime) -> int:
    cutoff = now - timedelta(seconds=current_app.config["OUTBOX_CLAIM_TIMEOUT_SECONDS"])
    result = db.session.execute(
        update(Notification)
        .where(Notification.status == "sending", Notification.claimed_at < cutoff)
        .values(status="queued", due_at=now, updated_at=now,
                last_error="the worker stopped while sending; tried again by the sweep")
        .execution_options(synchronize_session=False))
    return result.rowcount or 0
