"""flask outbox-sweep, flask send-reminders, flask worker."""
from __future__ import annotations

import logging
import os
import socket
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from ..core.clock import utcnow
from ..extensions import db

log = logging.getLogger(__name__)


def _report(result, what: str) -> None:
    click.echo(f"{what}: {result.handed_over} handed over, {result.reclaimed} taken back from dead workers, "
               f"{result.failed_total} failed for good (see the delivery log)")
    if result.not_handed_over:
        raise click.ClickException(f"{result.not_handed_over} could not be handed to Redis; they stay queued")


@click.command("outbox-sweep")
@with_appcontext
def outbox_sweep_command():
    """Hand over due emails/receipts (retries, delayed work) and take back rows of dead workers."""
    from .outbox import sweep

    _report(sweep(utcnow()), "outbox sweep")


@click.command("send-reminders")
@with_appcontext
def send_reminders_command():
    """Plan missing reminders of upcoming confirmed bookings and send the ones that are due."""
    from .reminders import send_due_reminders

    _report(send_due_reminders(utcnow()), "reminders")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run what is due, then exit (tests, cron).")
@click.option("--no-fork", is_flag=True, help="Run jobs in this process (rq SimpleWorker).")
@with_appcontext
def worker_command(burst: bool, no_fork: bool):
    """The background worker: RQ with its scheduler on RQ_QUEUES when REDIS_URL is set, plus the
    periodic upkeep (outbox sweep, expired holds, reminders, payment retries, analytics) checked every
    OUTBOX_SWEEP_SECONDS. Without REDIS_URL it only runs the upkeep (jobs run inline)."""
    app = current_app._get_current_object()
    interval = app.config["OUTBOX_SWEEP_SECONDS"]
    if not app.config.get("REDIS_URL"):
        click.echo(f"No REDIS_URL: jobs run inline; sweeping the outbox every {interval}s (Ctrl-C stops).")
        while True:
            _sweep_once(app, force=burst)
            if burst:
                return
            time.sleep(interval)
    from rq import SimpleWorker, Worker

    from ..core.jobs import queue_names, redis_connection, rq_queue

    queues = [rq_queue(name, app) for name in app.config["RQ_QUEUES"]]
    _sweep_once(app, force=True)  # what piled up while no worker ran goes first
    if not burst:
        threading.Thread(target=_sweep_forever, args=(app, interval), name="outbox-sweep", daemon=True).start()
    worker_class = SimpleWorker if no_fork else Worker
    click.echo(f"RQ worker on {', '.join(queue_names(app))} (scheduler on, sweep every {interval}s)")
    worker_class(queues, connection=redis_connection(app)).work(with_scheduler=True, burst=burst,
                                                                 logging_level="INFO")
    if burst:
        _sweep_once(app, force=True)


_last_runs: dict = {}


def _sweep_once(app, *, force: bool = False) -> None:
    """The outbox sweep and every other domain's periodic upkeep that is due (all with `force`),
    then a heartbeat."""
    from ..core.periodic import run_due_tasks
    from .health import beat

    with app.app_context():
        run_due_tasks(app, utcnow(), {} if force else _last_runs)
        try:
            beat(f"worker:{socket.gethostname()}:{os.getpid()}", utcnow())
            db.session.commit()
        except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
            log.exception("worker heartbeat failed")
            db.session.rollback()


def _sweep_forever(app, interval: int) -> None:
    while True:
        time.sleep(interval)
        _sweep_once(app)
