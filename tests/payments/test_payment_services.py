"""Card payments, manual payments and refunds against a real localstripe."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bookingadmin.bookings import lifecycle, operations
from bookingadmin.core.clock import utcnow
from bookingadmin.core.errors import Conflict, DomainError
from bookingadmin.extensions import db
from bookingadmin.payments import services
from bookingadmin.payments.models import Payment, Refund
from tests.factories import local_time

DECLINED = "4000000000000341"


def _reload(booking):
    db.session.expire_all()
    return db.session.get(type(booking), booking.id)


def _payments(booking):
    return db.session.scalars(db.select(Payment).where(Payment.booking_id == booking.id).order_by(Payment.id)).all()


def _refunds(booking):
    return db.session.scalars(db.select(Refund).where(Refund.booking_id == booking.id).order_by(Refund.id)).all()


def test_card_payment_for_the_frozen_price_confirms_the_booking(stripe_app, make_booking, card, localstripe,
                                                               signals_seen):
    booking = make_booking("pending_payment", duration=30)
    payment = services.start_card_payment(booking, actor=booking.customer, now=utcnow(), payment_method=card())
    db.session.commit()

    booking = _reload(booking)
    assert payment.status == "succeeded"
    assert (booking.status, booking.payment_status, booking.payment_method) == ("confirmed", "paid", "stripe")
    intent = localstripe.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    assert booking.amount == booking.consultation_type.option_for(booking.duration_minutes).price
    assert intent.amount == int(booking.amount * 100) and intent.currency == "usd"  # the frozen price in cents
    assert intent.metadata["booking_number"] == booking.number
    assert signals_seen["payments"] == [payment.id]


def test_opening_the_payment_page_twice_reuses_one_payment_intent(stripe_app, make_booking):
    booking = make_booking("pending_payment", duration=30)
    first = services.start_card_payment(booking, actor=None, now=utcnow())
    db.session.commit()
    second = services.start_card_payment(booking, actor=None, now=utcnow())
    db.session.commit()
    assert first.id == second.id and first.stripe_payment_intent_id == second.stripe_payment_intent_id
    assert len(_payments(booking)) == 1
    assert services.client_secret_for(first).startswith(first.stripe_payment_intent_id + "_secret_")


def test_a_paid_booking_is_never_paid_twice(stripe_app, make_booking, card):
    booking = make_booking("pending_payment", duration=30)
    services.start_card_payment(booking, actor=None, now=utcnow(), payment_method=card())
    db.session.commit()
    with pytest.raises(Conflict) as error:
        services.start_card_payment(booking, actor=None, now=utcnow(), payment_method=card())
    db.session.rollback()
    assert error.value.code == "already_paid"
    assert [p.status for p in _payments(booking)] == ["succeeded"]


def test_declined_card_leaves_a_failed_attempt_and_a_retry_works(stripe_app, make_booking, card):
    booking = make_booking("pending_payment", duration=30)
    failed = services.start_card_payment(booking, actor=None, now=utcnow(), payment_method=card(DECLINED))
    db.session.commit()
    assert failed.status == "failed" and "declined" in failed.failure_message.lower()
    booking = _reload(booking)
    assert (booking.status, booking.payment_status) == ("pending_payment", "unpaid")

    retry = services.start_card_payment(booking, actor=None, now=utcnow(), payment_method=card())
    db.session.commit()
    assert retry.id != failed.id and retry.idempotency_key != failed.idempotency_key
    assert _reload(booking).payment_status == "paid"


def test_expired_hold_cannot_be_paid(stripe_app, make_booking, card):
    booking = make_booking("pending_payment", duration=30)
    later = booking.hold_expires_at + timedelta(seconds=1)
    with pytest.raises(Conflict) as error:
        services.start_card_payment(booking, actor=None, now=later, payment_method=card())
    db.session.rollback()
    assert error.value.code == "hold_expired"
    assert _payments(booking) == []


def test_tampered_payment_intent_is_refused(stripe_app, make_booking, localstripe, card):
    booking = make_booking("pending_payment", duration=30)
    payment = services.start_card_payment(booking, actor=None, now=utcnow())
    db.session.commit()
    other = localstripe.client().v1.payment_intents.create(params={
        "amount": 100, "currency": "usd", "payment_method": card(), "confirm": True}).to_dict()
    other["id"] = payment.stripe_payment_intent_id  # same id, one dollar: not our booking's price
    with pytest.raises(DomainError) as error:
        services.sync_payment_intent(payment, other, now=utcnow())
    db.session.rollback()
    assert error.value.code == "payment_mismatch"
    assert _reload(booking).status == "pending_payment"


def test_approval_types_authorize_then_capture_on_confirmation(stripe_app, make_catalog, make_booking, card,
                                                               localstripe, signals_seen):
    cat = make_catalog()
    booking = make_booking("pending_payment", ctype=cat.approval, coach=cat.coach, customer=cat.customer)
    payment = services.start_card_payment(booking, actor=None, now=utcnow(), payment_method=card())
    db.session.commit()
    booking = _reload(booking)
    assert payment.capture_method == "manual" and payment.status == "authorized"
    assert (booking.status, booking.payment_status) == ("pending_confirmation", "authorized")
    assert signals_seen["payments"] == []  # nothing taken yet

    lifecycle.confirm(booking, actor=cat.coach_user, now=utcnow())
    db.session.commit()  # the capture runs after this commit
    booking = _reload(booking)
    assert _payments(booking)[0].status == "succeeded"
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    assert localstripe.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).status == "succeeded"
    assert signals_seen["payments"] == [payment.id]


def test_rejection_releases_the_authorization(stripe_app, make_catalog, make_booking, card, localstripe):
    cat = make_catalog()
    booking = make_booking("pending_payment", ctype=cat.approval, coach=cat.coach, customer=cat.customer)
    payment = services.start_card_payment(booking, actor=None, now=utcnow(), payment_method=card())
    db.session.commit()
    lifecycle.reject(_reload(booking), actor=cat.coach_user, now=utcnow(), reason="Fully booked that week")
    db.session.commit()
    booking = _reload(booking)
    assert _payments(booking)[0].status == "cancelled" and _payments(booking)[0].pending_action is None
    assert booking.payment_status == "unpaid" and _refunds(booking) == []
    assert localstripe.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).status == "canceled"


def test_customer_cancellation_refunds_what_the_policy_gives(stripe_app, make_booking, card, signals_seen):
    starts = local_time("Asia/Riyadh", days=10, at="10:00")
    booking = make_booking("pending_payment", starts_at=starts, duration=30)
    services.start_card_payment(booking, actor=None, now=utcnow(), payment_method=card())
    db.session.commit()
    # 30 hours before the start: the default policy gives 50%.
    cancellation = operations.cancel_booking(_reload(booking), actor=booking.customer,
                                             now=starts - timedelta(hours=30), reason="Travelling", by="customer")
    assert cancellation.refund_amount == Decimal("25.00") and cancellation.refunded == Decimal("25.00")
    db.session.commit()
    booking = _reload(booking)
    [refund] = _refunds(booking)
    assert (refund.amount, refund.status, refund.source) == (Decimal("25.00"), "succeeded", "cancellation")
    assert refund.stripe_refund_id.startswith("re_") and refund.created_by_id == booking.customer_id
    assert booking.payment_status == "partially_refunded"
    assert signals_seen["refunds"] == [refund.id]


def test_staff_refunds_never_exceed_what_is_left_and_repeat_safely(stripe_app, make_booking, card, make_user):
    support = make_user(role="support")
    booking = make_booking("pending_payment", duration=30)
    services.start_card_payment(booking, actor=None, now=utcnow(), payment_method=card())
    db.session.commit()

    first = services.issue_refund(booking, amount="30.00", reason="Coach late", actor=support, now=utcnow(),
                                  idempotency_key="form-1")
    db.session.commit()
    again = services.issue_refund(booking, amount="30.00", reason="Coach late", actor=support, now=utcnow(),
                                  idempotency_key="form-1")  # the same form sent twice
    assert [r.id for r in again] == [r.id for r in first]
    with pytest.raises(DomainError) as error:
        services.issue_refund(booking, amount="20.01", reason="More", actor=support, now=utcnow(),
                              idempotency_key="form-2")
    db.session.rollback()
    assert "20.00" in error.value.fields["amount"]
    with pytest.raises(DomainError) as error:
        services.issue_refund(booking, amount="5", reason="", actor=support, now=utcnow(), idempotency_key="form-3")
    db.session.rollback()
    assert "reason" in error.value.fields

    services.issue_refund(booking, amount=None, reason="Rest of it", actor=support, now=utcnow(),
                          idempotency_key="form-4")
    db.session.commit()
    booking = _reload(booking)
    assert [r.amount for r in _refunds(booking)] == [Decimal("30.00"), Decimal("20.00")]
    assert all(r.status == "succeeded" for r in _refunds(booking))
    assert booking.payment_status == "refunded" and services.money_summary(booking).refundable == 0


def test_manual_payment_pays_the_booking_once(stripe_app, make_booking, make_user, signals_seen):
    support = make_user(role="support")
    booking = make_booking("pending_payment", duration=30)
    with pytest.raises(DomainError) as error:
        services.record_manual_payment(booking, amount="50.01", method="cash", actor=support, now=utcnow())
    db.session.rollback()
    assert "50.00" in error.value.fields["amount"]

    payment = services.record_manual_payment(booking, amount="50.00", method="bank_transfer", reference="TRX-77",
                                             actor=support, now=utcnow())
    db.session.commit()
    booking = _reload(booking)
    assert (booking.status, booking.payment_status, booking.payment_method) == ("confirmed", "paid", "bank_transfer")
    assert signals_seen["payments"] == [payment.id]
    with pytest.raises(DomainError):
        services.record_manual_payment(booking, amount="1.00", method="cash", actor=support, now=utcnow())
    db.session.rollback()

    services.issue_refund(booking, amount="20.00", reason="Goodwill", actor=support, now=utcnow(),
                          idempotency_key="cash-refund")
    db.session.commit()
    [refund] = _refunds(booking)
    assert refund.status == "succeeded" and refund.stripe_refund_id is None  # handed back by staff
    assert _reload(booking).payment_status == "partially_refunded"


def test_payment_arriving_after_the_hold_expired_and_the_time_was_taken_is_refunded(
        stripe_app, make_booking, make_user, card, localstripe):
    booking = make_booking("pending_payment", duration=30)
    payment = services.start_card_payment(booking, actor=None, now=utcnow())
    db.session.commit()
    # The customer confirms the card at Stripe, but our side hears of it only later...
    client = localstripe.client().v1
    client.payment_intents.update(payment.stripe_payment_intent_id, params={"payment_method": card()})
    client.payment_intents.confirm(payment.stripe_payment_intent_id)
    # ...after the hold ran out and someone else booked the same time.
    later = booking.hold_expires_at + timedelta(minutes=1)
    other = make_user(role="customer")
    lifecycle.create_booking(customer=other, consultation_type_id=booking.consultation_type_id,
                             coach_id=booking.coach_id, duration_minutes=booking.duration_minutes,
                             starts_at=booking.starts_at, meeting_type="online", timezone="UTC", actor=other,
                             now=later)
    db.session.commit()  # the hold's cancellation releases (here: finds the money) after commit

    booking = _reload(booking)
    services.refresh_from_stripe(booking, now=later)
    db.session.commit()
    booking = _reload(booking)
    [refund] = _refunds(booking)
    assert booking.status == "cancelled" and booking.cancelled_by == "system"
    assert (refund.source, refund.amount, refund.status) == ("late_payment", booking.amount, "succeeded")
    assert booking.payment_status == "refunded"


def test_free_bookings_need_no_payment(stripe_app, make_catalog, make_booking):
    cat = make_catalog()
    booking = make_booking("confirmed", ctype=cat.free, coach=cat.coach, customer=cat.customer)
    assert booking.payment_status == "not_required"
    with pytest.raises(DomainError) as error:
        services.start_card_payment(booking, actor=None, now=utcnow())
    db.session.rollback()
    assert error.value.code == "nothing_to_pay"


def test_paid_means_payments_minus_refunds_for_the_policy_too(app, make_booking, make_user):
    """The lifecycle never writes payment_status; the cancellation policy reads what payments derived.
    A booking whose money was all given back is owed nothing more when it is cancelled."""
    from bookingadmin.bookings import policy

    booking = make_booking("pending_payment")
    assert booking.payment_status == "unpaid" and not policy.has_paid(booking)
    services.record_manual_payment(booking, amount=booking.amount, method="cash", actor=make_user(role="support"),
                                   now=utcnow())
    db.session.commit()
    booking = _reload(booking)
    assert (booking.status, booking.payment_status, booking.payment_method) == ("confirmed", "paid", "cash")
    assert policy.has_paid(booking)
    services.issue_refund(booking, amount=None, reason="Goodwill", actor=None, now=utcnow(),
                          idempotency_key="all-back", source="cancellation")
    db.session.commit()
    booking = _reload(booking)
    assert booking.payment_status == "refunded" and booking.paid_at is not None
    assert not policy.has_paid(booking)
    assert policy.refund_for_cancellation(booking, utcnow(), by="staff") == (Decimal("0.00"), 0)


def test_one_list_of_payment_methods():
    from bookingadmin.bookings.models import BOOKING_PAYMENT_METHODS
    from bookingadmin.core.money import PAYMENT_METHODS
    from bookingadmin.payments.models import MANUAL_METHODS

    assert BOOKING_PAYMENT_METHODS == PAYMENT_METHODS + ("free",)
    assert set(MANUAL_METHODS) == set(PAYMENT_METHODS) - {"stripe"}
