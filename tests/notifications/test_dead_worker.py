"""Issue 16: a worker killed with SIGKILL mid-delivery has its rows delivered by another worker
within a minute (its heartbeat stops), not after OUTBOX_CLAIM_TIMEOUT_SECONDS."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bookingadmin.core import outbox
from bookingadmin.core.clock import utcnow
from bookingadmin.core.outbox import OutboxJob, WorkerHeartbeat
from bookingadmin.extensions import db
from bookingadmin.notifications.models import Notification
from tests.support.services import free_port, stop_process, wait_until

REPO = Path(__file__).resolve().parents[2]


def _work_queues(app) -> None:
    """Another worker, in this process: runs what is queued now (no scheduler process to fork)."""
    from rq import SimpleWorker

    from bookingadmin.core.jobs import redis_connection, rq_queue

    queues = [rq_queue(name, app) for name in app.config["RQ_QUEUES"]]
    SimpleWorker(queues, connection=redis_connection(app)).work(burst=True, logging_level="WARNING")


def _running_claim():
    db.session.expire_all()
    job = db.session.scalar(select(OutboxJob).where(OutboxJob.status == "running"))
    if job is None or db.session.get(WorkerHeartbeat, job.claimed_by) is None:
        return None
    return job


@pytest.mark.postgres_only  # a separate worker process, once, against PostgreSQL
def test_a_worker_killed_mid_delivery_has_its_email_sent_by_another_within_a_minute(rq_app, smtp, tmp_path,
                                                                                    make_booking):
    rq_app.config.update(OUTBOX_HEARTBEAT_SECONDS=2, OUTBOX_HEARTBEAT_MISSES=3, OUTBOX_CLAIM_TIMEOUT_SECONDS=600)
    booking = make_booking("pending_payment")
    db.session.commit()
    black_hole = socket.socket()  # accepts connections and never answers: the delivery hangs
    black_hole.bind(("127.0.0.1", free_port()))
    black_hole.listen(16)
    env = {**os.environ, "BOOKINGADMIN_ENV": "development", "DATABASE_URL": rq_app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": rq_app.config["REDIS_URL"], "RQ_QUEUE_PREFIX": rq_app.config["RQ_QUEUE_PREFIX"],
           "INSTANCE_DIR": str(tmp_path), "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(black_hole.getsockname()[1]),
           "MAIL_USE_TLS": "0", "MAIL_TIMEOUT_SECONDS": "300", "OUTBOX_HEARTBEAT_SECONDS": "2",
           "OUTBOX_SWEEP_SECONDS": "3600"}
    env.pop("BOOKINGADMIN_WORKER_NAME", None)
    worker = subprocess.Popen([str(REPO / ".venv" / "bin" / "flask"), "worker", "--no-fork"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        job = wait_until(_running_claim, timeout=60, interval=0.2)
        dead_name = job.claimed_by
        assert dead_name.endswith(f":{worker.pid}")
        os.killpg(worker.pid, signal.SIGKILL)  # kill -9 of the worker and its RQ scheduler process
        worker.wait(timeout=10)
        killed_at = time.monotonic()
        row = db.session.scalar(select(Notification).where(Notification.job_id == job.id))

        def delivered():
            outbox.sweep(utcnow())  # another worker's upkeep
            _work_queues(rq_app)
            db.session.expire_all()
            return row.status == "sent"

        wait_until(delivered, timeout=60, interval=1)
        assert time.monotonic() - killed_at < 60
        assert row.attempts == 2 and row.job.claimed_by != dead_name
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        stop_process(worker)
        black_hole.close()
    received = [m for m in smtp.messages if m["To"].addresses[0].addr_spec == row.recipient_email]
    assert len(received) == 1 and booking.number in received[0]["Subject"]
