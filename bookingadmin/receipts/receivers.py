"""Receipts follow the money: one per recorded payment, a credit line (and an email) per refund.

Connected to bookingadmin.payments.signals in plugin.py; they run inside the payments transaction
and only write rows (the receipt, its number, the outbox rows that render and send it).
"""
from __future__ import annotations

from ..core.clock import utcnow
from ..extensions import db
from ..notifications import outbox
from ..notifications.recipients import customer_recipient
from .models import Receipt
from .services import add_credit_line, issue_receipt_for_booking


def on_payment_recorded(sender, payment, **_extra) -> None:
    """Money was taken: a numbered receipt for exactly this payment."""
    now = payment.succeeded_at or utcnow()
    issue_receipt_for_booking(payment.booking, now=now, payment_method=payment.method, payment_id=payment.id,
                              amount=payment.amount, paid_at=payment.succeeded_at)


def on_refund_issued(sender, refund, **_extra) -> None:
    """Money went back: a credit line on the payment's receipt and the refund email (with the receipt)."""
    now = refund.processed_at or utcnow()
    receipt = db.session.scalar(db.select(Receipt).where(Receipt.payment_id == refund.payment_id))
    render_row = None
    if receipt is not None:
        render_row = add_credit_line(receipt, amount=refund.amount, now=now, reference=f"refund-{refund.id}",
                                     reason=refund.reason)
    booking = refund.booking if hasattr(refund, "booking") and refund.booking is not None else refund.payment.booking
    payload = {"refund_amount": str(refund.amount), "currency": refund.currency, "status": booking.status,
               "starts_at": booking.starts_at.isoformat(), "ends_at": booking.ends_at.isoformat()}
    outbox.add(kind="refund_issued", key=f"refund_issued:refund-{refund.id}", now=now, booking_id=booking.id,
               recipient=customer_recipient(booking), payload=payload, depends_on=render_row,
               receipt_id=receipt.id if receipt is not None else None)
