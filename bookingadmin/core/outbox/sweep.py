"""The one sweep: hand over every due job of every kind; give back jobs a dead worker had claimed.

Run by the worker's periodic upkeep (every OUTBOX_SWEEP_SECONDS) and by `flask outbox-sweep` (cron).
It covers retries, delayed work (reminders), work Redis refused at commit time, and Stripe calls
that could not be made: one path for all of them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from ...extensions import db
from ..jobs import enqueue_now
from .models import OutboxJob, WorkerHeartbeat, beat
from .writing import RUN_TASK


@dataclass
class SweepResult:
    reclaimed: int = 0        # abandoned `running` jobs put back to queued
    handed_over: int = 0      # due jobs given to RQ or run inline
    not_handed_over: int = 0  # Redis refused them; the next sweep tries again
    failed_now: int = 0       # jobs this run marked failed for good (run inline, without Redis)
    failed_total: int = 0     # jobs failed for good ever (visible in the delivery log)


def sweep(now: datetime, *, limit: int = 500, heartbeat: str = "outbox-sweep") -> SweepResult:
    """Hand over every due queued job (oldest first). Commits. Safe to run at any time, twice, or
    concurrently: jobs claim their rows."""
    result = SweepResult(reclaimed=_reclaim_abandoned(now))
    due = db.session.execute(select(OutboxJob.id, OutboxJob.queue).where(
        OutboxJob.status == "queued", OutboxJob.due_at <= now).order_by(OutboxJob.due_at, OutboxJob.id)
        .limit(limit)).all()
    failed_before = _failed_count()
    db.session.commit()
    for job_id, queue in due:  # `now` goes along: a sweep run for a later instant (a test) claims by it
        if enqueue_now(RUN_TASK, job_id, now.isoformat(), queue=queue):
            result.handed_over += 1
        else:
            result.not_handed_over += 1
    result.failed_total = _failed_count()
    result.failed_now = max(result.failed_total - failed_before, 0)
    beat(heartbeat, now, details={"handed_over": result.handed_over, "reclaimed": result.reclaimed,
                                  "not_handed_over": result.not_handed_over})
    db.session.commit()
    return result


def _failed_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxJob).where(OutboxJob.status == "failed")) or 0


def _reclaim_abandoned(now: datetime) -> int:
    """Running jobs whose worker's heartbeat stopped (a few missed beats), or that ran past the claim
    timeout (the outer bound, for claims without a heartbeat: the web process, `rq worker`)."""
    config = current_app.config
    cutoff = now - timedelta(seconds=int(config.get("OUTBOX_CLAIM_TIMEOUT_SECONDS", 600)))
    silent = now - timedelta(seconds=int(config.get("OUTBOX_HEARTBEAT_SECONDS", 10))
                             * int(config.get("OUTBOX_HEARTBEAT_MISSES", 3)))
    dead_workers = select(WorkerHeartbeat.name).where(WorkerHeartbeat.beat_at < silent)
    result = db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.status == "running",
               or_(OutboxJob.claimed_at < cutoff,
                   and_(OutboxJob.claimed_at < silent, OutboxJob.claimed_by.in_(dead_workers))))
        .values(status="queued", due_at=now, updated_at=now, claimed_by=None,
                last_error="the worker stopped while running it; tried again by the sweep")
        .execution_options(synchronize_session=False))
    return result.rowcount or 0
