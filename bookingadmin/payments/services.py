"""Payment rules: take card payments, record manual ones, refund. What "paid" means (payments
minus refunds) lives in status.py; every change here ends with `refresh_payment_status()`.

Services flush and never commit. Stripe calls that follow a decision made in a transaction
(a refund, capturing or releasing an authorization) are written as rows first (Refund.status
"pending", Payment.pending_action) with an outbox job each (payments/jobs.py), carried out after
commit, so a rolled-back transaction never moves money. Creating and confirming a PaymentIntent is
the exception: the customer is waiting for its answer, so it runs in the request, under a
lock on the booking and a unique idempotency key, so a double click never makes two.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import func

from ..bookings.models import Booking
from ..core.errors import Conflict, DomainError
from ..core.money import format_money, quantize
from ..extensions import db
from .gateway import GatewayError, amount_of, get_gateway, payment_status_of
from .jobs import schedule_payment_action, schedule_refund
from .models import MANUAL_METHODS, OPEN_PAYMENT_STATUSES, Payment, Refund
from .signals import payment_recorded, refund_issued
from .status import (ZERO, MoneySummary, derive_payment_status, money_summary,  # noqa: F401  (re-exported)
                     outstanding_amount, refresh_payment_status, refundable_by_payment)


# --------------------------------------------------------------------------- helpers


def _lock(booking: Booking, *, reread: bool = False) -> Booking:
    """Lock the booking row for this transaction (PostgreSQL; SQLite serialises writers).

    `reread` reloads its columns (for views that start a transaction); receivers inside the
    lifecycle's transaction keep the flushed object as it is.
    """
    query = db.select(Booking).where(Booking.id == booking.id).with_for_update()
    if reread:
        query = query.execution_options(populate_existing=True)
    return db.session.execute(query).scalar_one()


def _app():
    return current_app._get_current_object()


def _check_payable(booking: Booking, now: datetime) -> None:
    if booking.amount <= 0:
        raise DomainError("This booking has nothing to pay", code="nothing_to_pay")
    if booking.status == "cancelled":
        raise Conflict("This booking was cancelled, so it cannot be paid. Please choose a time again.",
                       code="booking_cancelled")
    if booking.status != "pending_payment" or outstanding_amount(booking) <= 0:
        raise Conflict("This booking is already paid", code="already_paid")
    if booking.hold_expires_at is not None and booking.hold_expires_at <= now:
        raise Conflict("The time we held for you has expired. Please choose a time again.",
                       code="hold_expired")


def _open_card_payment(booking: Booking) -> Payment | None:
    return db.session.scalar(db.select(Payment).where(
        Payment.booking_id == booking.id, Payment.method == "stripe",
        Payment.status.in_(("pending", "requires_action"))).order_by(Payment.id.desc()).limit(1))


def _metadata(booking: Booking, payment: Payment) -> dict:
    return {"booking_number": booking.number, "booking_id": str(booking.id), "payment_id": str(payment.id)}


# --------------------------------------------------------------------------- card payments


def start_card_payment(booking: Booking, *, actor, now: datetime, payment_method: str | None = None) -> Payment:
    """The booking's Stripe payment: the open attempt's PaymentIntent, or a new one.

    The amount and currency are the booking's frozen price, never the client's. Without
    `payment_method` the PaymentIntent waits for Stripe.js to confirm it (confirmCardPayment);
    with one (from a SetupIntent, the localstripe flow) it is created and confirmed here.
    Types that need approval use manual capture: authorized now, captured on confirmation.
    A declined card leaves a "failed" Payment with the reason; the next try is a new attempt.
    """
    booking = _lock(booking, reread=True)
    _check_payable(booking, now)
    payment = _open_card_payment(booking)
    if payment is not None and payment.stripe_payment_intent_id:
        if payment_method is None or payment.status == "requires_action":
            return payment
        _abandon(payment, now)  # a new card for an unconfirmed intent: start a fresh attempt
        payment = None
    if payment is None:
        payment = _new_card_attempt(booking)
    gateway = get_gateway()
    try:
        intent = gateway.create_payment_intent(
            amount=payment.amount, currency=payment.currency, idempotency_key=payment.idempotency_key,
            capture_method=payment.capture_method, metadata=_metadata(booking, payment),
            payment_method=payment_method)
    except GatewayError as error:
        if not error.declined:
            raise DomainError(error.message, code="gateway_error") from error
        payment.status, payment.failure_message = "failed", error.message
        payment.stripe_payment_intent_id = error.payment_intent_id
        db.session.flush()
        return payment
    payment.stripe_payment_intent_id = intent["id"]
    db.session.flush()
    return sync_payment_intent(payment, intent, now=now)


def _new_card_attempt(booking: Booking) -> Payment:
    attempt = db.session.scalar(db.select(func.count(Payment.id)).where(
        Payment.booking_id == booking.id, Payment.method == "stripe")) + 1
    payment = Payment(booking=booking, method="stripe", status="pending", amount=booking.amount,
                      currency=booking.currency,
                      capture_method="manual" if booking.consultation_type.requires_approval else "automatic",
                      idempotency_key=f"{booking.number}-pay-{attempt}")
    db.session.add(payment)
    db.session.flush()
    return payment


def _abandon(payment: Payment, now: datetime) -> None:
    payment.status = "cancelled"
    payment.pending_action = "release"
    schedule_payment_action(payment, now=now)


def client_secret_for(payment: Payment) -> str | None:
    """Stripe.js needs the PaymentIntent's client secret; it is fetched, never stored."""
    if not payment.stripe_payment_intent_id:
        return None
    return get_gateway().retrieve_payment_intent(payment.stripe_payment_intent_id).get("client_secret")


def sync_payment_intent(payment: Payment, intent: dict, *, now: datetime) -> Payment:
    """Bring a Payment (and its booking) in line with the PaymentIntent Stripe reports.

    The one place a PaymentIntent's state reaches our rows, used by the payment page, the
    success page (which re-fetches) and the webhook. Applying the same state twice changes
    nothing. An intent whose amount, currency or booking differ from ours is refused.
    """
    booking = _lock(payment.booking)
    _check_matches(payment, booking, intent)
    new_status = payment_status_of(intent)
    error = intent.get("last_payment_error") or {}
    if new_status == "pending" and error:
        payment.failure_message = error.get("message") or "The payment did not go through"
    if payment.status == new_status or payment.status in ("succeeded", "failed"):
        refresh_payment_status(booking)
        return payment
    was = payment.status
    payment.status = new_status
    if new_status == "succeeded":
        payment.succeeded_at = now
        payment.failure_message = None
    db.session.flush()
    if new_status == "succeeded":
        payment_recorded.send(_app(), payment=payment)
    if new_status in ("succeeded", "authorized") and was != "authorized":
        _money_in(booking, payment, now=now)
    refresh_payment_status(booking)
    db.session.flush()
    return payment


def _check_matches(payment: Payment, booking: Booking, intent: dict) -> None:
    problems = []
    if intent.get("id") != payment.stripe_payment_intent_id:
        problems.append("payment intent")
    if intent.get("currency", "").upper() != payment.currency or amount_of(intent) != payment.amount:
        problems.append("amount")
    number = (intent.get("metadata") or {}).get("booking_number")
    if number is not None and number != booking.number:
        problems.append("booking")
    if problems:
        raise DomainError(f"The payment does not match this booking ({', '.join(problems)})",
                          code="payment_mismatch")


def _money_in(booking: Booking, payment: Payment, *, now: datetime) -> None:
    """Money arrived (taken or held): move the booking on, or give the money back.

    A booking is never paid twice: a second payment, or one that arrives after the booking
    was cancelled (its hold expired and the time went to someone else), is refunded in full
    (released, when it was only authorized).
    """
    from ..bookings import lifecycle

    others = db.session.scalars(db.select(Payment.id).where(
        Payment.booking_id == booking.id, Payment.id != payment.id,
        Payment.status.in_(("succeeded", "authorized")))).all()
    if booking.status == "pending_payment" and not others:
        try:
            lifecycle.mark_paid(booking, actor=None, now=now, method=payment.method)
            return
        except DomainError as error:
            current_app.logger.warning("payment %s for %s arrived too late: %s", payment.id, booking.number,
                                       error.message)
    _give_back(booking, payment, now=now, source="late_payment" if not others else "duplicate_payment")


def _give_back(booking: Booking, payment: Payment, *, now: datetime, source: str) -> None:
    reason = ("The booking was no longer available when the payment arrived" if source == "late_payment"
              else "The booking was already paid")
    if payment.status == "authorized":
        payment.pending_action = "release"
        schedule_payment_action(payment, now=now)
        return
    left = dict((p.id, amount) for p, amount in refundable_by_payment(booking)).get(payment.id, ZERO)
    if left <= 0:
        return
    _refund_payment(payment, amount=left, reason=reason, source=source, actor=None,
                    now=now, key=f"{source}-{payment.id}")


def latest_card_attempt(booking: Booking, *, reached_stripe: bool = False) -> Payment | None:
    """The booking's newest card attempt (with `reached_stripe`: the newest that has a PaymentIntent;
    a card declined before that has none)."""
    query = db.select(Payment).where(Payment.booking_id == booking.id, Payment.method == "stripe")
    if reached_stripe:
        query = query.where(Payment.stripe_payment_intent_id.is_not(None))
    return db.session.scalar(query.order_by(Payment.id.desc()).limit(1))


def automatic_refund(booking: Booking) -> Refund | None:
    """The refund we made on our own because the money came too late or twice (the customer is told)."""
    return db.session.scalar(db.select(Refund).where(
        Refund.booking_id == booking.id, Refund.source.in_(("late_payment", "duplicate_payment"))).limit(1))


def refresh_from_stripe(booking: Booking, *, now: datetime) -> Payment | None:
    """Re-read the booking's latest card attempt from Stripe (the success page never trusts the
    webhook alone). Returns that Payment, or None when there is none."""
    payment = latest_card_attempt(booking, reached_stripe=True)
    if payment is None:
        return None
    if payment.status in OPEN_PAYMENT_STATUSES or payment.status == "cancelled":
        intent = get_gateway().retrieve_payment_intent(payment.stripe_payment_intent_id)
        sync_payment_intent(payment, intent, now=now)
    return payment


def payment_for_intent(payment_intent_id: str) -> Payment | None:
    return db.session.scalar(db.select(Payment).where(Payment.stripe_payment_intent_id == payment_intent_id))


# --------------------------------------------------------------------------- manual payments


def record_manual_payment(booking: Booking, *, amount: Decimal | str, method: str, actor, now: datetime,
                          reference: str = "", note: str = "") -> Payment:
    """Staff took cash or saw a bank transfer. Never more than is still owed; once the price is
    covered the booking moves on as paid."""
    booking = _lock(booking, reread=True)
    fields = {}
    if method not in MANUAL_METHODS:
        fields["method"] = "Choose cash or bank transfer"
    try:
        value = quantize(amount, booking.currency)
    except (ValueError, TypeError):
        value = None
        fields["amount"] = "Enter an amount such as 90.00"
    owed = outstanding_amount(booking)
    if value is not None and value <= 0:
        fields["amount"] = "The amount must be more than 0"
    elif value is not None and value > owed:
        fields["amount"] = (f"Only {format_money(owed, booking.currency)} is still owed" if owed > 0
                            else "Nothing is owed on this booking")
    if booking.status == "cancelled":
        fields["amount"] = "This booking is cancelled"
    if fields:
        raise DomainError(next(iter(fields.values())), fields=fields)
    payment = Payment(booking=booking, method=method, status="succeeded", amount=value, currency=booking.currency,
                      recorded_by=actor, reference=(reference or "").strip()[:200] or None,
                      note=(note or "").strip() or None, succeeded_at=now)
    db.session.add(payment)
    db.session.flush()
    payment_recorded.send(_app(), payment=payment)
    if outstanding_amount(booking) <= 0 and booking.status == "pending_payment":
        from ..bookings import lifecycle

        lifecycle.mark_paid(booking, actor=actor, now=now, method=method)
    refresh_payment_status(booking)
    db.session.flush()
    return payment


# --------------------------------------------------------------------------- refunds


def issue_refund(booking: Booking, *, amount: Decimal | str | None, reason: str, actor, now: datetime,
                 idempotency_key: str, source: str = "staff") -> list[Refund]:
    """Give money back: all that is left (`amount=None`) or part of it, never more.

    Used by cancellations and by support staff. The same `idempotency_key` never refunds twice
    (the rows it made are returned). What is left is tracked here, from our own rows, because
    Stripe's test double does not limit it. Card refunds are sent to Stripe after commit.
    """
    existing = _refunds_with_key(idempotency_key)
    if existing:
        return existing
    booking = _lock(booking)
    reason = (reason or "").strip()
    left = money_summary(booking).refundable
    value = _refund_amount(amount, left, booking.currency)
    if source == "staff" and not reason:
        raise DomainError.on_field("reason", "Say why the money is given back")
    refunds, remaining = [], value
    for payment, payment_left in refundable_by_payment(booking):
        portion = min(remaining, payment_left)
        refunds.append(_refund_payment(payment, amount=portion, reason=reason, source=source, actor=actor,
                                       now=now, key=f"{idempotency_key}:p{payment.id}"))
        remaining -= portion
        if remaining <= 0:
            break
    refresh_payment_status(booking)
    db.session.flush()
    return refunds


def refund_cancellation(booking: Booking, *, amount: Decimal | None, reason: str | None, actor, now: datetime,
                        source: str = "cancellation") -> list[Refund]:
    """Give back what closing a booking entitles: `amount` (all that is left when None), capped by
    what is left; nothing when nothing is owed. Called once per booking by bookings.operations;
    keyed by the booking, so a repeat refunds nothing more."""
    left = money_summary(booking).refundable
    value = left if amount is None else min(quantize(amount, booking.currency), left)
    if value <= 0:
        return []
    return issue_refund(booking, amount=value, reason=reason or f"Booking {source}", actor=actor, now=now,
                        idempotency_key=f"booking-{booking.id}-{source}", source=source)


def _refunds_with_key(key: str) -> list[Refund]:
    return list(db.session.scalars(db.select(Refund).where(Refund.idempotency_key.like(f"{key}:p%"))
                                   .order_by(Refund.id)))


def _refund_amount(amount, left: Decimal, currency: str) -> Decimal:
    if left <= 0:
        raise DomainError.on_field("amount", "Nothing is left to refund on this booking")
    if amount in (None, ""):
        return left
    try:
        value = quantize(amount, currency)
    except (ValueError, TypeError):
        raise DomainError.on_field("amount", "Enter an amount such as 45.00") from None
    if value <= 0:
        raise DomainError.on_field("amount", "The amount must be more than 0")
    if value > left:
        raise DomainError.on_field("amount", f"At most {format_money(left, currency)} can be refunded")
    return value


def _refund_payment(payment: Payment, *, amount: Decimal, reason: str, source: str, actor, now: datetime,
                    key: str) -> Refund:
    found = db.session.scalar(db.select(Refund).where(Refund.idempotency_key == key))
    if found is not None:
        return found
    refund = Refund(booking=payment.booking, payment=payment, amount=amount, currency=payment.currency,
                    source=source, reason=reason, created_by=actor, idempotency_key=key, status="pending")
    db.session.add(refund)
    db.session.flush()
    if payment.method == "stripe":
        schedule_refund(refund, now=now)
    else:  # cash / transfer: staff hand the money back themselves; the row records it
        mark_refund_succeeded(refund, now=now)
    refresh_payment_status(payment.booking)
    return refund


def mark_refund_succeeded(refund: Refund, *, now: datetime, stripe_refund_id: str | None = None) -> None:
    if refund.status == "succeeded":
        return
    refund.status, refund.processed_at = "succeeded", now
    refund.stripe_refund_id = stripe_refund_id or refund.stripe_refund_id
    db.session.flush()
    refund_issued.send(_app(), refund=refund)


def refund_preview(booking: Booking, refund_amount: Decimal) -> Decimal:
    """What a cancellation would really give back: the policy's amount, capped by what was taken."""
    return min(quantize(refund_amount, booking.currency), money_summary(booking).refundable)
