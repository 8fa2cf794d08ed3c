"""What payments do when the booking lifecycle records an event (rows only; Stripe after commit).

- cancelled (by the customer, staff, or the system when a hold expires) or rejected: release any
  authorization or unfinished PaymentIntent, so nothing can be charged for a booking that no
  longer exists. The refund itself is not decided here: bookings.operations.cancel_booking /
  reject_booking read it from the policy and call `services.refund_cancellation` explicitly.
- confirmed: capture an authorized (manual-capture) PaymentIntent.
- created: the booking's first payment status (unpaid, or not_required when free): payments alone
  write it.
"""
from __future__ import annotations

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
        payment.status = "cancelled"
        if payment.stripe_payment_intent_id:
            payment.pending_action = "release"
            schedule_payment_action(payment, now=event.created_at)
    db.session.flush()
    refresh_payment_status(event.booking)
