"""What payments do when the booking lifecycle records an event (rows only; Stripe after commit).

- cancelled (by the customer, staff, or the system when a hold expires): refund the amount the
  policy gave (event.data["refund_amount"]), capped by what was taken; release any authorization
  or unfinished PaymentIntent, so nothing can be charged for a booking that no longer exists.
- rejected (staff turned a booking down): release the authorization; refund all that was taken.
- confirmed: capture an authorized (manual-capture) PaymentIntent.
- created: the booking's first payment status (unpaid, or not_required when free): payments alone
  write it.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..extensions import db
from .jobs import schedule_payment_action
from .models import OPEN_PAYMENT_STATUSES, Payment


def on_booking_event(sender, event, **extra) -> None:
    if event.action == "created":
        from .status import refresh_payment_status

        refresh_payment_status(event.booking)
    elif event.action == "confirmed":
        _capture_authorized(event)
    elif event.action == "rejected" or event.to_status == "cancelled":
        _release_open(event)
        _refund_for(event)


def _payments(event, statuses) -> list[Payment]:
    return db.session.scalars(db.select(Payment).where(
        Payment.booking_id == event.booking_id, Payment.method == "stripe",
        Payment.status.in_(statuses)).order_by(Payment.id)).all()


def _capture_authorized(event) -> None:
    for payment in _payments(event, ("authorized",)):
        payment.pending_action = "capture"
        schedule_payment_action(payment, now=event.created_at)


def _release_open(event) -> None:
    from .services import refresh_payment_status

    for payment in _payments(event, OPEN_PAYMENT_STATUSES):
        payment.status = "canceled"
        if payment.stripe_payment_intent_id:
            payment.pending_action = "release"
            schedule_payment_action(payment, now=event.created_at)
    db.session.flush()
    refresh_payment_status(event.booking)


def _refund_for(event) -> None:
    from .services import issue_refund, money_summary

    booking = event.booking
    left = money_summary(booking).refundable
    if event.action == "rejected":
        amount, source = left, "rejection"
    else:
        amount, source = min(_policy_amount(event), left), "cancellation"
    if amount <= 0:
        return
    issue_refund(booking, amount=amount, reason=event.reason or f"Booking {event.action}", actor=event.actor,
                 now=event.created_at, idempotency_key=f"booking-event-{event.id}", source=source)


def _policy_amount(event) -> Decimal:
    try:
        return Decimal(str((event.data or {}).get("refund_amount") or "0"))
    except InvalidOperation:
        return Decimal("0")
