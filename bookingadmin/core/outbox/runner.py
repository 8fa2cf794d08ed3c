"""Running one outbox job, at most once at a time, with the one retry policy.

- A job claims its row with `UPDATE ... SET status='running' WHERE status='queued' AND due_at <= now`
  and commits the claim before it does the work, so a second run (or a sweep racing it) finds nothing.
- A temporary failure puts the row back to queued with a later `due_at` (doubling from
  OUTBOX_RETRY_SECONDS, capped at OUTBOX_RETRY_MAX_SECONDS), as a mail transfer agent does, until
  OUTBOX_RETRY_HORIZON_HOURS after its first try (or OUTBOX_MAX_ATTEMPTS tries when that is set),
  then marks it failed with the error kept for staff. A PermanentFailure fails it at once.
  `retry_delay()` and `gives_up()` are the only places that decide.
- A job whose `depends_on` is still open waits; when that one finishes it hands its dependents over.
"""
from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from ...extensions import db
from ..clock import utcnow
from .models import OPEN_STATUSES, OutboxJob
from .registry import PermanentFailure, Skip, kind
from .writing import hand_over

log = logging.getLogger(__name__)

DEFAULTS = {"OUTBOX_MAX_ATTEMPTS": 0, "OUTBOX_RETRY_SECONDS": 60, "OUTBOX_RETRY_MAX_SECONDS": 3600,
            "OUTBOX_RETRY_HORIZON_HOURS": 48}


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS.get(name, 0)))


WORKER_NAME_VARIABLE = "BOOKINGADMIN_WORKER_NAME"


def worker_name() -> str:
    """This process's name, as its heartbeat and its claims spell it. `flask worker` sets it in the
    environment, so the work horses RQ forks claim in the name of the worker that beats for them."""
    return os.environ.get(WORKER_NAME_VARIABLE) or f"worker:{socket.gethostname()}:{os.getpid()}"


def run_job(job_id: int, now: str | None = None) -> str:
    """Do one job at most once; returns its status afterwards ("skipped", "waiting" when it did nothing)."""
    moment = datetime.fromisoformat(now) if now else utcnow()
    job = db.session.get(OutboxJob, job_id)
    if job is None or job.status != "queued" or job.due_at > moment:
        db.session.rollback()
        return "skipped"
    if dependency_pending(job):
        db.session.rollback()
        return "waiting"
    if not claim(job_id, moment):
        db.session.rollback()
        return "skipped"
    db.session.commit()
    return _perform(db.session.get(OutboxJob, job_id), moment)


def claim(job_id: int, now: datetime) -> bool:
    """queued -> running for this job, if it is still queued and due. True when this caller won it."""
    result = db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.status == "queued", OutboxJob.due_at <= now)
        .values(status="running", claimed_at=now, claimed_by=worker_name(), last_attempt_at=now,
                attempts=OutboxJob.attempts + 1, updated_at=now,
                first_attempt_at=func.coalesce(OutboxJob.first_attempt_at, now))
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _perform(job: OutboxJob, now: datetime) -> str:
    try:
        note = kind(job.kind).handler(job, now)
    except Skip as reason:
        db.session.rollback()
        finish(job, now=now, status="cancelled", note=str(reason))
    except PermanentFailure as error:
        db.session.rollback()
        record_failure(job, str(error), now=now, permanent=True)
    except Exception as error:  # noqa: BLE001 - any other error is worth another try
        db.session.rollback()
        log.warning("outbox job %s (%s) failed: %s", job.id, job.kind, error)
        record_failure(job, f"{type(error).__name__}: {error}", now=now)
    else:
        finish(job, now=now, note=note)
        release_dependents(job, now)
    status = job.status
    db.session.commit()
    return status


def finish(job: OutboxJob, *, now: datetime, status: str = "done", note: str | None = None) -> None:
    job.status, job.finished_at, job.updated_at, job.last_error = status, now, now, note


def retry_delay(attempts: int) -> int:
    """Seconds to wait before try `attempts + 1`: doubling from the first delay, capped."""
    return min(setting("OUTBOX_RETRY_SECONDS") * 2 ** max(attempts - 1, 0), setting("OUTBOX_RETRY_MAX_SECONDS"))


def gives_up(job: OutboxJob, now: datetime) -> bool:
    """True when a temporary failure at `now` ends the job: its horizon (or its tries) are used up."""
    limit = setting("OUTBOX_MAX_ATTEMPTS")
    if limit and job.attempts >= limit:
        return True
    horizon = timedelta(hours=setting("OUTBOX_RETRY_HORIZON_HOURS"))
    return now + timedelta(seconds=retry_delay(job.attempts)) > (job.first_attempt_at or now) + horizon


def record_failure(job: OutboxJob, error: str, *, now: datetime, permanent: bool = False) -> None:
    """Back to queued with a later due time, or failed for good (permanent, or past the horizon)."""
    job.last_error, job.updated_at = error[:4000], now
    if permanent or gives_up(job, now):
        job.status, job.finished_at = "failed", now
        if not permanent:
            job.last_error = f"gave up after {job.attempts} tries: {error}"[:4000]
        return
    job.status, job.due_at = "queued", now + timedelta(seconds=retry_delay(job.attempts))
    hand_over(job)


def dependency_pending(job: OutboxJob) -> bool:
    return job.depends_on is not None and job.depends_on.status in OPEN_STATUSES


def release_dependents(job: OutboxJob, now: datetime) -> None:
    """Hand over the jobs that were waiting for `job` (after commit)."""
    waiting = db.session.scalars(select(OutboxJob).where(OutboxJob.depends_on_id == job.id,
                                                         OutboxJob.status == "queued"))
    for dependent in waiting:
        if dependent.due_at <= now:
            hand_over(dependent)
