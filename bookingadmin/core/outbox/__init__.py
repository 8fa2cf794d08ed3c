"""One outbox for all work after commit: emails, receipt PDFs, Stripe refunds / captures / releases
(and later webhooks and calendar writes).

    from bookingadmin.core import outbox

    outbox.add("payments.refund", key=f"refund-{refund.id}", now=now, payload={"refund_id": refund.id})
    db.session.commit()     # now handed to RQ (REDIS_URL set) or run inline in this process

A job is a row written in the same transaction as the change that causes it, so a rollback leaves
neither. Each domain registers the handler of its kinds in its jobs.py (registry.py); the runner
claims a row before running it and applies the one retry policy (runner.py); one sweep hands over
whatever is due, stuck or refused by Redis (sweep.py); one delivery log shows every kind
(notifications/admin.py). Guarantee: at least once, and each handler checks its own row so that
running it twice has one effect.
"""
from __future__ import annotations

from flask import Flask

from .models import OPEN_STATUSES, STATUSES, OutboxJob, WorkerHeartbeat, beat
from .registry import PermanentFailure, Skip, kinds, register
from .runner import retry_delay, run_job, worker_name
from .sweep import SweepResult, sweep
from .writing import add, by_key, cancel, hand_over

__all__ = ["OPEN_STATUSES", "STATUSES", "OutboxJob", "WorkerHeartbeat", "beat", "PermanentFailure", "Skip",
           "kinds", "register", "retry_delay", "run_job", "worker_name", "SweepResult", "sweep", "add", "by_key",
           "cancel", "hand_over", "init_app"]


def settings() -> dict:
    """The retry policy and the sweep's pace, from the environment (a value given to create_app() wins)."""
    from config import _env, _env_int

    return {
        # Prefix for RQ queue names, so several apps (or test runs) can share one Redis.
        "RQ_QUEUE_PREFIX": _env("RQ_QUEUE_PREFIX", ""),
        # Temporary failures are retried like a mail transfer agent does: the wait doubles from the
        # first delay up to the cap, until this many hours after the first try (then failed for good).
        "OUTBOX_RETRY_HORIZON_HOURS": _env_int("OUTBOX_RETRY_HORIZON_HOURS", 48),
        # An optional limit on tries as well (0: none, the horizon decides).
        "OUTBOX_MAX_ATTEMPTS": _env_int("OUTBOX_MAX_ATTEMPTS", 0),
        "OUTBOX_RETRY_SECONDS": _env_int("OUTBOX_RETRY_SECONDS", 60),
        "OUTBOX_RETRY_MAX_SECONDS": _env_int("OUTBOX_RETRY_MAX_SECONDS", 3600),
        # A job claimed (running) for longer than this is considered abandoned by a dead worker.
        # The outer bound: a worker whose heartbeat stops has its rows taken back much sooner
        # (after OUTBOX_HEARTBEAT_MISSES missed heartbeats, written every OUTBOX_HEARTBEAT_SECONDS).
        "OUTBOX_CLAIM_TIMEOUT_SECONDS": _env_int("OUTBOX_CLAIM_TIMEOUT_SECONDS", 600),
        "OUTBOX_HEARTBEAT_SECONDS": _env_int("OUTBOX_HEARTBEAT_SECONDS", 10),
        "OUTBOX_HEARTBEAT_MISSES": _env_int("OUTBOX_HEARTBEAT_MISSES", 3),
        # How often `flask worker` runs the sweep and the other periodic upkeep.
        "OUTBOX_SWEEP_SECONDS": _env_int("OUTBOX_SWEEP_SECONDS", 60),
    }


def init_app(app: Flask) -> None:
    """The after-commit hand-over, the periodic sweep and the `outbox-sweep` / `worker` commands."""
    from .. import jobs
    from ..periodic import register_periodic
    from .cli import outbox_sweep_command, worker_command

    jobs.init_app(app)
    for name, value in settings().items():
        app.config.setdefault(name, value)
    register_periodic(app, "outbox-sweep", sweep, every_seconds=int(app.config["OUTBOX_SWEEP_SECONDS"]))
    app.cli.add_command(outbox_sweep_command)
    app.cli.add_command(worker_command)
