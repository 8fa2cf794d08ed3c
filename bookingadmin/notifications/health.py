"""Is background work happening? Queue lengths, failed jobs, worker heartbeats, the outbox backlog
(every kind of job: emails, receipts, Stripe calls).

`worker_health()` is what the back-office dashboard shows (templates/admin/worker_health_panel.html);
`problems` lists, in plain words, what staff should act on (a reminder that silently did not go).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, type_coerce

from ..core.clock import utcnow
from ..core.types import UTCDateTime
from ..core.outbox import OutboxJob, WorkerHeartbeat, beat  # noqa: F401  (beat: re-exported)
from ..extensions import db

OVERDUE_AFTER = timedelta(minutes=5)
EMAIL_KIND = "notifications.email"


def _outbox_counts(now: datetime) -> dict:
    counts = dict(db.session.execute(select(OutboxJob.status, func.count()).group_by(OutboxJob.status)).all())
    overdue = db.session.scalar(select(func.count()).select_from(OutboxJob).where(
        OutboxJob.status == "queued", OutboxJob.due_at < now - OVERDUE_AFTER)) or 0
    failed_recent = db.session.scalar(select(func.count()).select_from(OutboxJob).where(
        OutboxJob.status == "failed", OutboxJob.updated_at >= now - timedelta(days=1))) or 0
    oldest = db.session.scalar(select(type_coerce(func.min(func.coalesce(OutboxJob.first_attempt_at,
                                                                         OutboxJob.due_at)), UTCDateTime)).where(
        OutboxJob.kind == EMAIL_KIND, OutboxJob.status.in_(("queued", "running")),
        or_(OutboxJob.first_attempt_at.is_not(None), OutboxJob.due_at <= now)))
    return {"oldest_undelivered_email_age": (now - oldest) if oldest is not None else None,
            "queued": counts.get("queued", 0), "sending": counts.get("running", 0), "sent": counts.get("done", 0),
            "failed": counts.get("failed", 0), "failed_last_day": failed_recent, "overdue": overdue}


def _redis_state(app, now: datetime) -> dict:
    from redis.exceptions import RedisError
    from rq import Queue, Worker
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    from ..core.jobs import queue_names, redis_connection

    conn = redis_connection(app)
    try:
        queues = []
        for name in queue_names(app):
            queue = Queue(name, connection=conn)
            queues.append({"name": name, "queued": queue.count,
                           "started": StartedJobRegistry(queue=queue).count,
                           "scheduled": ScheduledJobRegistry(queue=queue).count,
                           "failed": FailedJobRegistry(queue=queue).count})
        workers = {}
        for queue_name in queue_names(app):
            for worker in Worker.all(queue=Queue(queue_name, connection=conn)):
                workers[worker.name] = {"name": worker.name, "state": str(worker.get_state()),
                                        "last_heartbeat": _aware(worker.last_heartbeat),
                                        "queues": ", ".join(worker.queue_names())}
        return {"redis_ok": True, "redis_error": None, "queues": queues, "workers": list(workers.values())}
    except RedisError as error:
        return {"redis_ok": False, "redis_error": str(error), "queues": [], "workers": []}


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def worker_health(now: datetime | None = None) -> dict:
    """Everything the dashboard's worker panel shows, with `problems` in words."""
    now = now or utcnow()
    app = current_app._get_current_object()
    mode = "rq" if app.config.get("REDIS_URL") else "inline"
    health = {"mode": mode, "now": now, "outbox": _outbox_counts(now), "redis_ok": None, "redis_error": None,
              "queues": [], "workers": []}
    beats = {b.name: b for b in db.session.scalars(select(WorkerHeartbeat))}
    health["heartbeats"] = [{"name": b.name, "beat_at": b.beat_at, "details": b.details} for b in beats.values()]
    sweep = beats.get("outbox-sweep")
    health["last_sweep_at"] = sweep.beat_at if sweep else None
    if mode == "rq":
        health.update(_redis_state(app, now))
    health["mail_config_error"] = _mail_config_error(now)
    health["problems"] = _problems(health, app, now)
    return health


def _mail_config_error(now: datetime) -> str | None:
    """The latest "Mail settings: ..." failure of the last day: every email fails until it is fixed."""
    from .mail import CONFIG_ERROR

    return db.session.scalar(select(OutboxJob.last_error).where(
        OutboxJob.kind == EMAIL_KIND, OutboxJob.status == "failed", OutboxJob.updated_at >= now - timedelta(days=1),
        OutboxJob.last_error.startswith(CONFIG_ERROR)).order_by(OutboxJob.updated_at.desc()).limit(1))


def _words(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def _problems(health: dict, app, now: datetime) -> list[str]:
    problems = []
    if health["mail_config_error"]:
        problems.append(f"Emails cannot be sent. {health['mail_config_error']}. Fix the settings, check them with "
                        "flask check-mail, then resend the failed emails from the delivery log.")
    outbox = health["outbox"]
    if outbox["overdue"]:
        problems.append(f"{outbox['overdue']} background job(s) (emails, receipts, Stripe calls) have waited more than 5 minutes: "
                        "is a worker (make worker) or the outbox sweep running?")
    age = outbox["oldest_undelivered_email_age"]
    if age is not None and age > OVERDUE_AFTER:
        problems.append(f"The oldest undelivered email has waited {_words(age)} (retried until "
                        f"{app.config['OUTBOX_RETRY_HORIZON_HOURS']} hours after its first try).")
    if outbox["failed"]:
        problems.append(f"{outbox['failed']} background job(s) failed for good: see Notifications → Delivery log.")
    stale = timedelta(seconds=3 * app.config["OUTBOX_SWEEP_SECONDS"])
    if health["last_sweep_at"] is None:
        problems.append("The outbox sweep has never run: reminders and retries wait for it (flask worker or "
                        "flask outbox-sweep from cron).")
    elif now - health["last_sweep_at"] > stale:
        problems.append(f"The outbox sweep last ran at {health['last_sweep_at']:%Y-%m-%d %H:%M} UTC.")
    if health["mode"] == "rq":
        if not health["redis_ok"]:
            problems.append(f"Redis cannot be reached: {health['redis_error']}")
        elif not health["workers"]:
            problems.append("No RQ worker is running: start one with make worker.")
        failed_jobs = sum(q["failed"] for q in health["queues"])
        if failed_jobs:
            problems.append(f"{failed_jobs} RQ job(s) failed (see rq info); their outbox rows are retried by the sweep.")
    return problems
