"""Emails in the outbox without Redis: written with the change, sent inline after commit, once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bookingadmin.bookings import lifecycle
from bookingadmin.core import outbox as core_outbox
from bookingadmin.core.clock import utcnow
from bookingadmin.core.outbox import OutboxJob, run_job
from bookingadmin.extensions import db
from bookingadmin.notifications import outbox
from bookingadmin.notifications.models import Notification
from tests.factories import local_time
from tests.notifications.helpers import by_kind, closed_port, read_outbox

def rows(**where) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return list(db.session.scalars(query))


def test_a_paid_confirmed_booking_writes_its_emails_as_eml_files(app, make_booking):
    booking = make_booking("confirmed")  # created, paid (cash), confirmed by payment
    kinds = {row.kind: row.status for row in rows(booking_id=booking.id)}
    assert kinds["booking_created"] == "sent"
    assert kinds["payment_received"] == "sent"
    assert kinds["confirmed"] == "sent"
    assert kinds["staff_new_booking"] == "sent"
    assert kinds["reminder"] == "queued"  # planned for later
    [receipt_job] = db.session.scalars(select(OutboxJob).where(OutboxJob.kind == "receipts.render")).all()
    assert (receipt_job.status, receipt_job.booking_id) == ("done", booking.id)
    messages = read_outbox(app)
    assert {m["X-Bookingadmin-Kind"] for m in messages} == {
        "booking_created", "payment_received", "confirmed", "staff_new_booking"}
    [confirmed] = by_kind(messages, "confirmed")
    assert confirmed["To"].addresses[0].addr_spec == booking.customer_email
    assert booking.number in confirmed["Subject"]


def test_the_lifecycle_rolled_back_leaves_no_row_and_sends_nothing(app, make_catalog):
    cat = make_catalog()
    lifecycle.create_booking(customer=cat.customer, consultation_type_id=cat.paid.id, coach_id=cat.coach.id,
                             duration_minutes=60, starts_at=local_time(cat.coach, days=4), meeting_type="online",
                             timezone="Europe/London", actor=cat.customer, now=utcnow())
    assert rows()  # written in the transaction...
    db.session.rollback()
    assert rows() == []  # ...and gone with it
    assert db.session.scalars(select(OutboxJob)).all() == []
    assert read_outbox(app) == []


def test_a_job_run_twice_sends_one_email(app, smtp, make_booking):
    booking = make_booking("pending_payment")
    [row] = rows(kind="booking_created")
    assert row.status == "sent"
    assert len(smtp.wait_for(1)) >= 1
    before = len(smtp.messages)
    assert run_job(row.job_id) == "skipped"
    assert run_job(row.job_id) == "skipped"
    core_outbox.sweep(utcnow())
    assert len(smtp.messages) == before
    assert [m["Subject"] for m in smtp.messages].count(smtp.messages[0]["Subject"]) == 1
    assert booking.number in smtp.messages[0]["Subject"]


def test_smtp_refusing_once_is_retried_and_delivers_one_email(app, smtp, make_catalog):
    cat = make_catalog()
    smtp.refuse_next(1)
    booking = lifecycle.create_booking(
        customer=cat.customer, consultation_type_id=cat.free.id, coach_id=cat.coach.id, duration_minutes=30,
        starts_at=local_time(cat.coach, days=4), meeting_type="online", timezone="Europe/London",
        actor=cat.customer, now=utcnow())
    db.session.commit()
    assert smtp.refused == 1
    [row] = rows(kind="confirmed")
    assert (row.status, row.attempts) == ("queued", 1)
    assert "451" in row.last_error
    assert row.due_at > utcnow()  # backs off
    later = row.due_at + timedelta(seconds=1)
    core_outbox.sweep(later)
    core_outbox.sweep(later)
    db.session.expire_all()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    confirmed = [m for m in smtp.messages if m["X-Bookingadmin-Kind"] == "confirmed"]
    assert len(confirmed) == 1 and booking.number in confirmed[0]["Subject"]


@pytest.mark.allow_smtp  # a closed port on purpose
def test_after_the_last_attempt_the_row_is_failed_with_its_error(app, make_booking):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port(), MAIL_USE_TLS=False, OUTBOX_MAX_ATTEMPTS=3)
    booking = make_booking("pending_payment")
    [row] = rows(kind="booking_created")
    moment = utcnow()
    for _ in range(5):
        moment += timedelta(hours=2)
        core_outbox.sweep(moment)
    db.session.expire_all()
    assert row.status == "failed" and row.attempts == 3
    assert "ConnectionRefusedError" in row.last_error
    from bookingadmin.notifications.health import worker_health

    assert any("failed for good" in problem for problem in worker_health()["problems"])
    assert booking.status == "pending_payment"  # the booking itself never depended on the email


def test_a_permanent_smtp_refusal_fails_at_once(app, smtp, make_booking):
    smtp.refuse_next(1, reply="550 5.1.1 No such mailbox")
    make_booking("pending_payment")
    [row] = rows(kind="booking_created")
    assert (row.status, row.attempts) == ("failed", 1)
    assert "550" in row.last_error


def test_a_row_abandoned_by_a_dead_worker_is_sent_by_the_sweep(app, make_booking):
    app.config["MAIL_OUTBOX_DIR"] = str(app.config["MAIL_OUTBOX_DIR"]) + "-later"
    booking = make_booking("pending_payment")
    [row] = rows(kind="booking_created")
    row.job.status, row.job.claimed_at = "running", utcnow() - timedelta(hours=1)  # as a killed worker leaves it
    db.session.commit()
    result = core_outbox.sweep(utcnow())
    assert result.reclaimed == 1
    db.session.expire_all()
    assert row.status == "sent" and row.attempts == 2  # the dead worker's try and this one
    assert booking.number in by_kind(read_outbox(app), "booking_created")[0]["Subject"]


def test_writing_the_same_cause_twice_gives_one_row(app, make_booking):
    booking = make_booking("pending_payment")
    recipient = outbox.Recipient(email="x@example.com", name="X")
    first = outbox.add(kind="booking_created", key="same-cause", now=utcnow(), booking_id=booking.id,
                       recipient=recipient)
    second = outbox.add(kind="booking_created", key="same-cause", now=utcnow(), booking_id=booking.id,
                        recipient=recipient)
    db.session.commit()
    assert first.id == second.id and first.job_id == second.job_id
    assert len(db.session.scalars(select(OutboxJob).where(OutboxJob.key == "same-cause")).all()) == 1
    assert len(rows(booking_id=booking.id, recipient_email="x@example.com")) == 1


def test_an_email_job_run_twice_by_its_handler_sends_one_email(app, smtp, make_booking):
    """Below the claim: the handler itself, called twice for one job, sends once."""
    from bookingadmin.core.outbox.registry import kind

    make_booking("pending_payment")
    [row] = rows(kind="booking_created")
    before = len(smtp.wait_for(2))
    assert kind("notifications.email").handler(row.job, utcnow()) == "already sent"
    db.session.commit()
    assert len(smtp.messages) == before


@pytest.mark.parametrize("bad", ["24,x", "0,1"])
def test_reminder_offsets_are_validated(bad, monkeypatch):
    from config import ConfigError

    from bookingadmin.notifications.settings import settings

    monkeypatch.setenv("REMINDER_OFFSETS_HOURS", bad)
    with pytest.raises(ConfigError, match="REMINDER_OFFSETS_HOURS"):
        settings()
