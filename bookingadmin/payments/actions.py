"""Stripe calls that follow a committed decision: send a refund, capture or release an authorization.

Inside a transaction the services only write rows (Refund.status "pending", Payment.pending_action)
and `schedule()` their ids. When that transaction commits, each id is processed in its own fresh
session and transaction, right away, in the same process. If that fails (Stripe unreachable, the
process dies) the row stays as it is and `flask payments-retry` (or the next run of the same
action) picks it up: every action is idempotent (Stripe idempotency keys plus a state check on
the locked row), so running one twice moves money once.
"""
from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..extensions import db
from .gateway import GatewayError, get_gateway, stripe_configured
from .models import Payment, Refund

log = logging.getLogger(__name__)
SESSION_KEY = "bookingadmin.payments.after_commit"


def schedule(kind: str, row_id: int) -> None:
    """Run action `kind` ("refund" or "payment") for the row once the current transaction commits."""
    db.session.info.setdefault(SESSION_KEY, []).append((kind, row_id))


@event.listens_for(Session, "after_commit")
def _run_scheduled(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: the real transaction (and its locks) goes on
    todo = session.info.pop(SESSION_KEY, None)
    if not todo or not has_app_context():
        return
    app = current_app._get_current_object()
    # A new app context gets its own scoped session: the committing one cannot run SQL now.
    with app.app_context():
        run_actions(todo)


@event.listens_for(Session, "after_rollback")
def _forget_scheduled(session: Session) -> None:
    if session.get_nested_transaction() is None:  # the whole transaction is gone, not just a savepoint
        session.info.pop(SESSION_KEY, None)


def run_actions(todo: list[tuple[str, int]]) -> None:
    for kind, row_id in dict.fromkeys(todo):
        try:
            if kind == "refund":
                process_refund(row_id)
            else:
                process_payment_action(row_id)
            db.session.commit()
        except Exception:  # noqa: BLE001 - one failed action must not stop the others; the row stays pending
            db.session.rollback()
            log.exception("payment action %s %s failed; `flask payments-retry` will try again", kind, row_id)


def process_refund(refund_id: int) -> Refund | None:
    """Send one pending card refund to Stripe (idempotent: the refund's own key)."""
    from .services import mark_refund_succeeded, refresh_payment_status

    refund = db.session.get(Refund, refund_id, with_for_update=True)
    if refund is None or refund.status != "pending" or refund.payment.method != "stripe":
        return refund
    if not stripe_configured():
        return refund
    try:
        result = get_gateway().create_refund(
            payment_intent_id=refund.payment.stripe_payment_intent_id, amount=refund.amount,
            currency=refund.currency, idempotency_key=refund.idempotency_key,
            metadata={"booking_number": refund.booking.number, "refund_id": str(refund.id)})
    except GatewayError as error:
        if error.retryable:
            raise
        refund.status, refund.failure_message, refund.processed_at = "failed", error.message, utcnow()
        refresh_payment_status(refund.booking)
        return refund
    if result.get("status") in ("failed", "canceled"):
        refund.status, refund.failure_message = "failed", result.get("failure_reason") or "refused by Stripe"
        refund.processed_at = utcnow()
        refresh_payment_status(refund.booking)
    else:  # "succeeded", or "pending" at the bank: the money is on its way back
        mark_refund_succeeded(refund, now=utcnow(), stripe_refund_id=result.get("id"))
    return refund


def process_payment_action(payment_id: int) -> Payment | None:
    """Capture (staff confirmed) or release (rejected, cancelled, expired) an authorization."""
    from .services import refresh_payment_status, sync_payment_intent

    payment = db.session.get(Payment, payment_id, with_for_update=True)
    if payment is None or payment.pending_action is None:
        return payment
    if not payment.stripe_payment_intent_id or not stripe_configured():
        if not payment.stripe_payment_intent_id:
            payment.pending_action = None
        return payment
    gateway, now = get_gateway(), utcnow()
    action, payment.pending_action = payment.pending_action, None
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
    if intent["status"] == "canceled" and payment.status != "canceled":
        payment.status = "canceled"
    sync_payment_intent(payment, intent, now=now)
    refresh_payment_status(payment.booking)
    return payment


def retry_pending() -> int:
    """Every pending card refund and every capture/release not yet done. Returns how many."""
    refunds = db.session.scalars(db.select(Refund.id).join(Payment).where(
        Refund.status == "pending", Payment.method == "stripe")).all()
    payments = db.session.scalars(db.select(Payment.id).where(Payment.pending_action.is_not(None))).all()
    todo = [("refund", i) for i in refunds] + [("payment", i) for i in payments]
    db.session.commit()
    run_actions(todo)
    return len(todo)
