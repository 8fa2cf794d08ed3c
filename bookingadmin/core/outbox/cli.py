"""flask outbox-sweep and flask worker: the one sweep and the process that runs every kind of job."""
from __future__ import annotations

import logging
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from ...extensions import db
from ..clock import utcnow

log = logging.getLogger(__name__)


def report(result, what: str) -> None:
    click.echo(f"{what}, this run: {result.handed_over} handed over, {result.reclaimed} taken back from dead "
               f"workers, {result.failed_now} failed for good")
    click.echo(f"in total: {result.failed_total} failed for good (see the delivery log)")
    if result.not_handed_over:
        raise click.ClickException(f"{result.not_handed_over} could not be handed to Redis; they stay queued")


@click.command("outbox-sweep")
@with_appcontext
def outbox_sweep_command():
    """Hand over due jobs of every kind (emails, receipts, Stripe calls, retries, delayed work) and
    take back jobs of dead workers."""
    from .sweep import sweep

    report(sweep(utcnow()), "outbox sweep")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run what is due, then exit (tests, cron).")
@click.option("--no-fork", is_flag=True, help="Run jobs in this process (rq SimpleWorker).")
@with_appcontext
def worker_command(burst: bool, no_fork: bool):
    """The background worker: RQ with its scheduler on RQ_QUEUES when REDIS_URL is set, plus the
    periodic upkeep (the outbox sweep, expired holds, reminders, analytics) checked every
    OUTBOX_SWEEP_SECONDS. Without REDIS_URL it only runs the upkeep (jobs run inline)."""
    import os

    from .runner import WORKER_NAME_VARIABLE, worker_name

    app = current_app._get_current_object()
    interval = app.config["OUTBOX_SWEEP_SECONDS"]
    os.environ[WORKER_NAME_VARIABLE] = worker_name()  # inherited by forked work horses: they claim in its name
    if not burst:
        threading.Thread(target=_beat_forever, args=(app, app.config["OUTBOX_HEARTBEAT_SECONDS"]),
                         name="outbox-heartbeat", daemon=True).start()
    if not app.config.get("REDIS_URL"):
        click.echo(f"No REDIS_URL: jobs run inline; sweeping the outbox every {interval}s (Ctrl-C stops).")
        while True:
            upkeep_once(app, force=burst)
            if burst:
                return
            time.sleep(interval)
    from rq import SimpleWorker, Worker

    from ..jobs import queue_names, redis_connection, rq_queue

    queues = [rq_queue(name, app) for name in app.config["RQ_QUEUES"]]
    upkeep_once(app, force=True)  # what piled up while no worker ran goes first
    if not burst:
        threading.Thread(target=_upkeep_forever, args=(app, interval), name="outbox-sweep", daemon=True).start()
    worker_class = SimpleWorker if no_fork else Worker
    click.echo(f"RQ worker on {', '.join(queue_names(app))} (scheduler on, sweep every {interval}s)")
    worker_class(queues, connection=redis_connection(app)).work(with_scheduler=True, burst=burst,
                                                                 logging_level="INFO")
    if burst:
        upkeep_once(app, force=True)


_last_runs: dict = {}


def upkeep_once(app, *, force: bool = False) -> None:
    """The periodic upkeep that is due (all of it with `force`), then this worker's heartbeat."""
    from ..periodic import run_due_tasks

    with app.app_context():
        run_due_tasks(app, utcnow(), {} if force else _last_runs)
    beat_once(app)


def beat_once(app) -> None:
    """This worker's heartbeat: while it beats, the rows it claimed are its own."""
    from .models import beat
    from .runner import worker_name

    with app.app_context():
        try:
            beat(worker_name(), utcnow())
            db.session.commit()
        except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
            log.exception("worker heartbeat failed")
            db.session.rollback()


def _beat_forever(app, interval: int) -> None:
    while True:
        beat_once(app)
        time.sleep(interval)


def _upkeep_forever(app, interval: int) -> None:
    while True:
        time.sleep(interval)
        upkeep_once(app)
