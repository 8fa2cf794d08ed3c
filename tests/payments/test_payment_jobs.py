"""Stripe calls as outbox jobs (payments/jobs.py): each runs after commit, once in effect even when
run twice, and a Stripe outage is retried by the one outbox sweep (no `flask payments-retry`)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from bookingadmin.bookings import lifecycle, operations
from bookingadmin.core import outbox
from bookingadmin.core.clock import utcnow
from bookingadmin.core.outbox import OutboxJob, kinds
from bookingadmin.extensions import db
from bookingadmin.payments import services
from bookingadmin.payments.models import Payment, Refund
from tests.factories import local_time
from tests.notifications.helpers import closed_port


def _job(kind: str) -> OutboxJob:
    db.session.expire_all()
    return db.session.scalar(select(OutboxJob).where(OutboxJob.kind == kind))


def _run_handler_again(job: OutboxJob) -> str | None:
    """The handler itself, below the claim, as a worker killed before its commit would run it again."""
    note = kinds()[job.kind].handler(job, utcnow())
    db.session.commit()
    return note


def _approval_booking(make_catalog, make_booking, card):
    cat = make_catalog()
    booking = make_booking("pending_payment", ctype=cat.approval, coach=cat.coach, customer=cat.customer)
    payment = services.start_card_payment(booking, actor=None, now=utcnow(), payment_method=card())
    db.session.commit()
    return cat, booking, payment


def test_a_capture_run_twice_captures_once(stripe_app, make_catalog, make_booking, card, localstripe, signals_seen):
    cat, booking, payment = _approval_booking(make_catalog, make_booking, card)
    lifecycle.confirm(booking, actor=cat.coach_user, now=utcnow())
    db.session.commit()
    job = _job("payments.capture")
    assert (job.status, job.key, job.booking_id) == ("done", f"payment-{payment.id}-capture", booking.id)
    assert _run_handler_again(job) == "nothing to do: no capture pending"
    assert outbox.run_job(job.id) == "skipped"
    assert db.session.get(Payment, payment.id).status == "succeeded"
    assert signals_seen["payments"] == [payment.id]  # one receipt, one "money taken"
    assert localstripe.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).status == "succeeded"


def test_a_release_run_twice_releases_once(stripe_app, make_catalog, make_booking, card, localstripe):
    cat, booking, payment = _approval_booking(make_catalog, make_booking, card)
    lifecycle.reject(booking, actor=cat.coach_user, now=utcnow(), reason="Fully booked that week")
    db.session.commit()
    job = _job("payments.release")
    assert job.status == "done"
    assert _run_handler_again(job) == "nothing to do: no release pending"
    payment = db.session.get(Payment, payment.id)
    assert payment.status == "cancelled" and payment.pending_action is None
    assert localstripe.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).status == "canceled"


def test_a_refund_run_twice_refunds_once(stripe_app, make_booking, card, signals_seen):
    starts = local_time("Asia/Riyadh", days=10, at="10:00")
    booking = make_booking("pending_payment", starts_at=starts, duration=30)
    services.start_card_payment(booking, actor=None, now=utcnow(), payment_method=card())
    db.session.commit()
    operations.cancel_booking(booking, actor=None, now=starts - timedelta(hours=30), reason="Travelling",
                              by="customer")
    db.session.commit()
    job = _job("payments.refund")
    [refund] = db.session.scalars(select(Refund)).all()
    assert job.status == "done" and job.payload == {"refund_id": refund.id}
    stripe_id = refund.stripe_refund_id
    assert _run_handler_again(job) == "nothing to do: the refund is succeeded"
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).stripe_refund_id == stripe_id
    assert signals_seen["refunds"] == [refund.id]
    assert services.money_summary(booking).refunded == Decimal("25.00")


def test_stripe_down_the_refund_waits_in_the_outbox_and_the_sweep_sends_it(stripe_app, make_booking, card,
                                                                          make_user):
    booking = make_booking("pending_payment", duration=30)
    services.start_card_payment(booking, actor=None, now=utcnow(), payment_method=card())
    db.session.commit()
    working_base = stripe_app.config["STRIPE_API_BASE"]
    stripe_app.config["STRIPE_API_BASE"] = f"http://127.0.0.1:{closed_port()}"  # Stripe unreachable
    services.issue_refund(booking, amount="10.00", reason="Coach late", actor=make_user(role="support"),
                          now=utcnow(), idempotency_key="form-1")
    db.session.commit()  # the staff action is saved all the same
    job = _job("payments.refund")
    [refund] = db.session.scalars(select(Refund)).all()
    assert (job.status, job.attempts, refund.status) == ("queued", 1, "pending")
    assert job.last_error and job.due_at > utcnow()
    stripe_app.config["STRIPE_API_BASE"] = working_base  # back
    result = outbox.sweep(job.due_at + timedelta(seconds=1))
    assert result.handed_over == 1
    job = _job("payments.refund")
    assert (job.status, job.attempts) == ("done", 2)
    refund = db.session.get(Refund, refund.id)
    assert refund.status == "succeeded" and refund.stripe_refund_id.startswith("re_")
    assert db.session.get(type(booking), booking.id).payment_status == "partially_refunded"
