"""Writing outbox rows: in the caller's transaction, handed over (RQ or inline) after its commit."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ..clock import utcnow
from ..jobs import enqueue
from .models import OutboxJob
from .registry import kind as registered_kind

RUN_TASK = "bookingadmin.core.outbox.runner.run_job"


def add(kind: str, *, key: str | None, now: datetime, payload: dict | None = None, booking_id: int | None = None,
        due_at: datetime | None = None, depends_on: OutboxJob | None = None, revive: bool = False) -> OutboxJob:
    """One job for `key` (the existing one if that cause was already written), handed over after commit.

    `revive=True` turns a cancelled job with this key back to queued (a reminder re-planned for a
    time the booking had before); a job that ran is never revived.
    """
    queue = registered_kind(kind).queue
    existing = by_key(key) if key else None
    if existing is not None:
        return _revive(existing, due_at or now, now) if revive and existing.status == "cancelled" else existing
    # Without a due time it goes now; "now" as the service saw it may be ahead of the clock (tests, imports).
    job = OutboxJob(kind=kind, key=key, queue=queue, payload=payload or {}, booking_id=booking_id,
                    depends_on_id=depends_on.id if depends_on is not None else None,
                    due_at=due_at or min(now, utcnow()), created_at=now, updated_at=now)
    try:
        _insert(job)
    except IntegrityError:  # the same cause written concurrently: keep theirs
        found = by_key(key) if key else None
        if found is None:
            raise
        return found
    hand_over(job)
    return job


def _insert(job: OutboxJob) -> None:
    """Insert under a savepoint where writers run concurrently (PostgreSQL), so a duplicate key
    leaves the caller's transaction usable. SQLite serialises writers, and pysqlite would turn a
    savepoint opened first in a transaction into one that commits on release."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.add(job)
        db.session.flush()
        return
    with db.session.begin_nested():
        db.session.add(job)


def by_key(key: str) -> OutboxJob | None:
    return db.session.scalar(select(OutboxJob).where(OutboxJob.key == key))


def _revive(job: OutboxJob, due_at: datetime, now: datetime) -> OutboxJob:
    job.status, job.due_at, job.attempts, job.last_error, job.updated_at = "queued", due_at, 0, None, now
    job.finished_at = job.first_attempt_at = None
    hand_over(job)
    return job


def hand_over(job: OutboxJob) -> None:
    """Run the job after the current transaction commits (RQ, or inline without Redis)."""
    enqueue(RUN_TASK, job.id, queue=job.queue, at=job.due_at)


def cancel(job_ids: Iterable[int], *, reason: str, now: datetime) -> int:
    """Cancel these jobs if they are still queued (reminders of a cancelled booking); how many."""
    ids = list(job_ids)
    if not ids:
        return 0
    result = db.session.execute(
        update(OutboxJob).where(OutboxJob.id.in_(ids), OutboxJob.status == "queued")
        .values(status="cancelled", last_error=reason, finished_at=now, updated_at=now)
        .execution_options(synchronize_session="fetch"))
    return result.rowcount or 0
