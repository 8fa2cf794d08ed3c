"""This domain's outbox kinds: the Stripe calls that follow a committed decision.

- "payments.refund": send one pending card refund (Stripe idempotency key: the refund's own);
- "payments.capture": capture an authorization (staff confirmed the booking);
- "payments.release": cancel an authorization or an unfinished PaymentIntent (rejected, cancelled,
  expired, abandoned for a new card).

Services write the intent as rows in their transaction (Refund.status "pending",
Payment.pending_action) and call `schedule_*()`, which adds the outbox job. Each handler locks its
row and checks it is still to do, so running one twice moves money once; a Stripe outage is retried
by the outbox's one policy and sweep (there is no separate payments retry).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..core import outbox
from ..core.clock import utcnow
from ..core.outbox import OutboxJob, PermanentFailure, register
from ..extensions import db
from .gateway import GatewayError, get_gateway, payment_status_of, refund_refused, stripe_configured
from .models import Payment, Refund

REFUND, CAPTURE, RELEASE = "payments.refund", "payments.capture", "payments.release"


def schedule_refund(refund: Refund, *, now: datetime) -> OutboxJob:
    return outbox.add(REFUND, key=f"refund-{refund.id}", now=now, booking_id=refund.booking_id,
                      payload={"refund_id": refund.id})


def schedule_payment_action(payment: Payment, *, now: datetime) -> OutboxJob:
    """The job for the payment's `pending_action` ("capture" or "release")."""
    action = payment.pending_action
    return outbox.add(f"payments.{action}", key=f"payment-{payment.id}-{action}", now=now,
                      booking_id=payment.booking_id, payload={"payment_id": payment.id})


def _describe(job: OutboxJob) -> str:
    payload = job.payload or {}
    if "refund_id" in payload:
        refund = db.session.get(Refund, payload["refund_id"])
        return f"{refund.amount} {refund.currency} ({refund.status})" if refund is not None else ""
    payment = db.session.get(Payment, payload.get("payment_id"))
    return f"{payment.amount} {payment.currency} ({payment.status})" if payment is not None else ""


def _require_stripe() -> None:
    if not stripe_configured():
        raise RuntimeError("Stripe is not configured (STRIPE_SECRET_KEY); tried again later")


@register(REFUND, label=_l("Stripe refund"), describe=_describe)
def send_refund(job: OutboxJob, now: datetime) -> str | None:
    """Send one pending card refund to Stripe; a refund no longer pending is left as it is."""
    from .services import mark_refund_succeeded, refresh_payment_status

    refund = db.session.get(Refund, (job.payload or {}).get("refund_id"), with_for_update=True)
    if refund is None:
        raise PermanentFailure("the refund no longer exists")
    if refund.status != "pending" or refund.payment.method != "stripe":
        return f"nothing to do: the refund is {refund.status}"
    _require_stripe()
    try:
        result = get_gateway().create_refund(
            payment_intent_id=refund.payment.stripe_payment_intent_id, amount=refund.amount,
            currency=refund.currency, idempotency_key=refund.idempotency_key,
            metadata={"booking_number": refund.booking.number, "refund_id": str(refund.id)})
    except GatewayError as error:
        if error.retryable:
            raise
        result = {"status": "failed", "failure_reason": error.message}
    if refund_refused(result):
        refund.status = "failed"
        refund.failure_message = result.get("failure_reason") or "refused by Stripe"
        refund.processed_at = utcnow()
        refresh_payment_status(refund.booking)
        return f"Stripe refused the refund: {refund.failure_message}"
    # "succeeded", or "pending" at the bank: the money is on its way back
    mark_refund_succeeded(refund, now=utcnow(), stripe_refund_id=result.get("id"))
    return None


def _payment_action(job: OutboxJob, action: str) -> str | None:
    """Capture or release the payment's authorization, if that is still its pending action."""
    from .services import refresh_payment_status, sync_payment_intent

    payment = db.session.get(Payment, (job.payload or {}).get("payment_id"), with_for_update=True)
    if payment is None:
        raise PermanentFailure("the payment no longer exists")
    if payment.pending_action != action:
        return f"nothing to do: no {action} pending"
    if not payment.stripe_payment_intent_id:
        payment.pending_action = None
        return "nothing to do: no PaymentIntent was made"
    _require_stripe()
    gateway, now = get_gateway(), utcnow()
    payment.pending_action = None
    try:
        if action == "capture":
            intent = gateway.capture_payment_intent(payment.stripe_payment_intent_id,
                                                    idempotency_key=f"{payment.idempotency_key}-capture")
        else:
            intent = gateway.cancel_payment_intent(payment.stripe_payment_intent_id)
    except GatewayError as error:
        if error.retryable:
            raise
        # Already captured, cancelled or never confirmed: Stripe's own state decides.
        intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
        payment.failure_message = error.message
    if payment_status_of(intent) == "cancelled":
        payment.status = "cancelled"
    sync_payment_intent(payment, intent, now=now)
    refresh_payment_status(payment.booking)
    return None


@register(CAPTURE, label=_l("Stripe capture"), describe=_describe)
def capture(job: OutboxJob, now: datetime) -> str | None:
    return _payment_action(job, "capture")


@register(RELEASE, label=_l("Stripe release"), describe=_describe)
def release(job: OutboxJob, now: datetime) -> str | None:
    return _payment_action(job, "release")
