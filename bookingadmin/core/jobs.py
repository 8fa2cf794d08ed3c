"""The transport under the outbox (core/outbox/): `enqueue()` hands a task over after the commit.

Domains do not call it: they write an outbox job (`core.outbox.add`), which calls it for them.

    enqueue("bookingadmin.core.outbox.runner.run_job", job.id, queue="emails")
    db.session.commit()          # now it is handed to RQ, or run inline

With REDIS_URL set the job goes to RQ (queue names get RQ_QUEUE_PREFIX in front); a job with
`at` in the future is scheduled with `enqueue_at` (run by `rq worker --with-scheduler`). Without
REDIS_URL (the embedded default) a due job runs inline, in a fresh app context, right after the
commit; a job for later is left to the periodic sweep (`flask outbox-sweep`, `flask worker`).

A rollback forgets what was enqueued in that transaction. If Redis is down at commit time the job is
only logged as not enqueued: the work it stands for is a row in the database (the outbox), and the
sweep hands it over again later. So jobs must be idempotent, take ids, and look the row up.
"""
from __future__ import annotations

import importlib
import logging
import os
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

from ..extensions import db
from .clock import utcnow

log = logging.getLogger(__name__)

_PENDING = "bookingadmin_jobs_after_commit"
_APPS: "weakref.WeakSet[Flask]" = weakref.WeakSet()
_STANDALONE_APP: Flask | None = None


@dataclass(frozen=True)
class PendingJob:
    task: str
    args: tuple
    queue: str
    at: datetime | None
    job_id: str | None


def enqueue(task: str, *args: Any, queue: str = "default", at: datetime | None = None,
            job_id: str | None = None) -> None:
    """Run `task` (a dotted path to a function taking plain ids) with `args` after the current commit."""
    if not isinstance(task, str):
        raise TypeError("enqueue() takes the task's dotted path, so RQ workers can import it")
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before the next commit forgets this job too
    session.info.setdefault(_PENDING, []).append(PendingJob(task, args, queue, at, job_id))


def enqueue_now(task: str, *args: Any, queue: str = "default", at: datetime | None = None,
                job_id: str | None = None) -> bool:
    """Hand a job over immediately (no transaction to wait for: the sweep, the CLI). False if Redis refused."""
    return _dispatch(current_app._get_current_object(), [PendingJob(task, args, queue, at, job_id)]) == 1


# --------------------------------------------------------------------------- after commit


def _after_commit(session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released: the real commit is still to come
    jobs = session.info.pop(_PENDING, None)
    if jobs and has_app_context():
        _dispatch(current_app._get_current_object(), jobs)


def _after_soft_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None and not previous_transaction.nested:
        session.info.pop(_PENDING, None)


def _dispatch(app: Flask, jobs: list[PendingJob]) -> int:
    """Hand each job to RQ, or run it inline; the number handed over."""
    if app.config.get("REDIS_URL"):
        return sum(_to_rq(app, job) for job in jobs)
    now = utcnow()
    handed = 0
    for job in jobs:
        if job.at is not None and job.at > now:
            continue  # delayed work without Redis: the sweep runs it when it is due
        _run_inline(app, job)
        handed += 1
    return handed


def _to_rq(app: Flask, job: PendingJob) -> bool:
    from redis.exceptions import RedisError

    try:
        queue = rq_queue(job.queue, app)
        kwargs = {"job_id": job.job_id, "result_ttl": 600, "failure_ttl": 7 * 86400,
                  "description": f"{job.task}{job.args}"}
        if job.at is not None and job.at > utcnow():
            queue.enqueue_at(job.at, perform, job.task, *job.args, **kwargs)
        else:
            queue.enqueue(perform, job.task, *job.args, **kwargs)
        return True
    except RedisError as error:
        log.warning("not enqueued (Redis: %s); the outbox sweep will hand it over: %s%s",
                    error, job.task, job.args)
        return False


def _run_inline(app: Flask, job: PendingJob) -> None:
    # A fresh app context gives a fresh session: the committing one cannot run SQL inside its hook.
    with app.app_context():
        try:
            _resolve(job.task)(*job.args)
        except Exception:  # noqa: BLE001 - the caller's transaction is committed; the row keeps the state
            log.exception("inline job %s%s failed", job.task, job.args)
            db.session.rollback()


# --------------------------------------------------------------------------- RQ side


def queue_name(name: str, app: Flask | None = None) -> str:
    app = app or current_app
    return f"{app.config.get('RQ_QUEUE_PREFIX') or ''}{name}"


def queue_names(app: Flask | None = None) -> list[str]:
    app = app or current_app
    return [queue_name(name, app) for name in app.config["RQ_QUEUES"]]


def redis_connection(app: Flask | None = None):
    """One Redis client per app (REDIS_URL); short timeouts so a dead Redis fails fast."""
    from redis import Redis

    app = app or current_app
    conn = app.extensions.get("bookingadmin_redis")
    if conn is None:
        conn = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
        app.extensions["bookingadmin_redis"] = conn
    return conn


def rq_queue(name: str, app: Flask | None = None):
    from rq import Queue

    app = app or current_app
    return Queue(queue_name(name, app), connection=redis_connection(app))


def perform(task: str, *args: Any) -> Any:
    """What RQ runs: `task(*args)` inside an app context (the worker's app, or one made from the environment)."""
    app = current_app._get_current_object() if has_app_context() else _standalone_app()
    with app.app_context():
        return _resolve(task)(*args)


APP_FACTORY = "bookingadmin.create_app"  # what a plain `rq worker` builds its app with


def _standalone_app() -> Flask:
    global _STANDALONE_APP
    if _STANDALONE_APP is None:  # a plain `rq worker` process: configured by the environment
        # The entry point by name: core/ imports no domain, and the factory imports every domain.
        _STANDALONE_APP = _resolve(APP_FACTORY)()
    return _STANDALONE_APP


def _resolve(task: str):
    module, _, name = task.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _reset_pools_in_child() -> None:
    # A forked work-horse must not reuse the parent's database connections.
    for app in list(_APPS):
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)


def init_app(app: Flask) -> None:
    _APPS.add(app)


event.listen(FlaskSession, "after_commit", _after_commit)
event.listen(FlaskSession, "after_soft_rollback", _after_soft_rollback)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_pools_in_child)
