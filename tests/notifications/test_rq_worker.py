"""With Redis: jobs go to RQ after commit, a real worker runs them, Redis outages lose nothing."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bookingadmin.bookings import lifecycle
from bookingadmin.core import outbox
from bookingadmin.core.clock import utcnow
from bookingadmin.core.jobs import enqueue_now
from bookingadmin.core.outbox import OutboxJob
from bookingadmin.extensions import db
from bookingadmin.notifications.models import Notification
from bookingadmin.receipts.models import Receipt
from tests.notifications.helpers import queued_job_count, run_burst_worker
from tests.support.services import RedisServer, require_service

REPO = Path(__file__).resolve().parents[2]


def statuses(booking) -> dict[str, str]:
    db.session.expire_all()
    return {r.kind: r.status for r in db.session.scalars(
        select(Notification).where(Notification.booking_id == booking.id, Notification.kind != "reminder"))}


@pytest.mark.receipt_pdf  # the payment email carries the receipt
def test_jobs_wait_for_the_worker_then_run_once_each(rq_app, smtp, make_booking):
    booking = make_booking("confirmed")
    assert smtp.messages == []  # nothing is sent by the web process
    assert queued_job_count(rq_app) >= 5
    assert set(statuses(booking).values()) == {"queued"}
    run_burst_worker(rq_app)
    assert set(statuses(booking).values()) == {"sent"}
    kinds = sorted(m["X-Bookingadmin-Kind"] for m in smtp.wait_for(4))
    assert kinds == ["booking_created", "confirmed", "payment_received", "staff_new_booking"]
    [paid] = [m for m in smtp.messages if m["X-Bookingadmin-Kind"] == "payment_received"]
    assert any(part.get_content_type() == "application/pdf" for part in paid.iter_attachments())
    assert db.session.scalar(select(OutboxJob.status).where(OutboxJob.kind == "receipts.render")) == "done"
    # every job run twice: handed to RQ again and worked again, still one email and one receipt each
    for job in db.session.scalars(select(OutboxJob).where(OutboxJob.booking_id == booking.id)):
        enqueue_now("bookingadmin.core.outbox.runner.run_job", job.id, queue=job.queue)
    run_burst_worker(rq_app)
    assert len(smtp.messages) == 4
    assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1


def test_the_payment_email_waits_for_its_receipt(rq_app, smtp, make_booking):
    booking = make_booking("confirmed")
    receipt_job = db.session.scalar(select(OutboxJob).where(OutboxJob.kind == "receipts.render"))
    email_row = db.session.scalar(select(Notification).where(Notification.kind == "payment_received"))

    assert email_row.job.depends_on_id == receipt_job.id
    assert outbox.run_job(email_row.job_id) == "waiting"  # the receipt is not rendered yet
    assert outbox.run_job(receipt_job.id) == "done"
    run_burst_worker(rq_app)  # the receipt job handed the email over again
    db.session.expire_all()
    assert email_row.status == "sent"
    assert booking.number in [m for m in smtp.messages if m["X-Bookingadmin-Kind"] == "payment_received"][0]["Subject"]


def test_redis_down_at_confirmation_the_email_arrives_after_the_sweep(app, smtp, factories, make_booking):
    cat = factories.default_catalog
    booking = make_booking("pending_confirmation", ctype=cat.approval)
    smtp.clear()
    redis_server = require_service("redis-server", RedisServer)
    try:
        app.config.update(REDIS_URL=redis_server.url, RQ_QUEUE_PREFIX="outage-")
        app.extensions.pop("bookingadmin_redis", None)
        redis_server.stop()  # Redis is down when staff confirm
        lifecycle.confirm(booking, actor=cat.coach_user, now=utcnow())
        db.session.commit()  # the booking is saved all the same
        db.session.expire_all()
        assert booking.status == "confirmed"
        assert statuses(booking)["confirmed"] == "queued"
        result = outbox.sweep(utcnow())  # still down: nothing handed over, nothing lost
        assert result.handed_over == 0 and result.not_handed_over >= 1
        redis_server.start()  # back (empty: the sweep refills it from the outbox)
        assert outbox.sweep(utcnow()).handed_over >= 1
        run_burst_worker(app)
        [message] = smtp.wait_for(1)
        assert message["X-Bookingadmin-Kind"] == "confirmed" and booking.number in message["Subject"]
        assert statuses(booking)["confirmed"] == "sent"
    finally:
        redis_server.close()
        app.config.update(REDIS_URL=None)


def test_flask_worker_burst_runs_the_queues_and_the_sweep(rq_app, smtp, make_booking):
    booking = make_booking("pending_payment")
    result = rq_app.test_cli_runner().invoke(args=["worker", "--burst", "--no-fork"])
    assert result.exit_code == 0, result.output
    assert statuses(booking)["booking_created"] == "sent"
    assert len(smtp.wait_for(2)) == 2  # the customer's and the coach's
    from bookingadmin.notifications.health import worker_health

    health = worker_health()
    assert health["mode"] == "rq" and health["redis_ok"]
    assert [q["queued"] for q in health["queues"]] == [0, 0, 0]
    assert health["last_sweep_at"] is not None


@pytest.mark.postgres_only  # a separate worker process is exercised once, against PostgreSQL
def test_rq_worker_command_in_its_own_process(rq_app, databases, tmp_path, make_booking):
    """`rq worker --burst --with-scheduler`, a separate process configured by the environment only."""
    booking = make_booking("pending_payment")
    assert statuses(booking)["booking_created"] == "queued"
    prefix = rq_app.config["RQ_QUEUE_PREFIX"]
    env = {**os.environ, "BOOKINGADMIN_ENV": "development", "DATABASE_URL": databases.url("postgresql"),
           "REDIS_URL": rq_app.config["REDIS_URL"], "RQ_QUEUE_PREFIX": prefix, "INSTANCE_DIR": str(tmp_path),
           "MAIL_OUTBOX_DIR": str(tmp_path / "eml")}
    env.pop("MAIL_SERVER", None)
    queues = [f"{prefix}{name}" for name in rq_app.config["RQ_QUEUES"]]
    done = subprocess.run([str(Path(sys.executable).parent / "rq"), "worker", "--burst", "--with-scheduler",
                           "--url", rq_app.config["REDIS_URL"], *queues], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert statuses(booking)["booking_created"] == "sent"
    assert len(list((tmp_path / "eml").glob("*.eml"))) == 2
