"""What "paid" means, in one place: a booking's payment status derived from its Payment rows minus
its Refund rows. `refresh_payment_status()` is the only writer of `Booking.payment_status` and
`Booking.payment_method`; the lifecycle and the cancellation policy read that column (or ask
`derive_payment_status()`), they never decide it (`bookings.policy.has_paid` reads the column).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func

from ..bookings.models import Booking
from ..core.money import quantize
from ..extensions import db
from .models import Payment, Refund

ZERO = Decimal("0")



@dataclass(frozen=True)
class MoneySummary:
    paid: Decimal          # taken (succeeded payments)
    authorized: Decimal    # held, not taken
    refunded: Decimal      # given back or on its way (pending + succeeded refunds)
    currency: str

    @property
    def refundable(self) -> Decimal:
        return max(self.paid - self.refunded, ZERO)


def _sum(column, *where, currency: str) -> Decimal:
    value = db.session.scalar(db.select(func.sum(column)).where(*where))
    return quantize(Decimal(str(value or 0)), currency)


def money_summary(booking: Booking) -> MoneySummary:
    """Sums read from the database (so they are current under the booking's lock)."""
    cur = booking.currency
    return MoneySummary(
        paid=_sum(Payment.amount, Payment.booking_id == booking.id, Payment.status == "succeeded", currency=cur),
        authorized=_sum(Payment.amount, Payment.booking_id == booking.id, Payment.status == "authorized",
                        currency=cur),
        refunded=_sum(Refund.amount, Refund.booking_id == booking.id, Refund.status != "failed", currency=cur),
        currency=cur)


def refundable_by_payment(booking: Booking) -> list[tuple[Payment, Decimal]]:
    """Succeeded payments with what is left to refund on each, newest first."""
    payments = db.session.scalars(db.select(Payment).where(
        Payment.booking_id == booking.id, Payment.status == "succeeded").order_by(Payment.id.desc())).all()
    result = []
    for payment in payments:
        given = _sum(Refund.amount, Refund.payment_id == payment.id, Refund.status != "failed",
                     currency=payment.currency)
        if payment.amount - given > 0:
            result.append((payment, payment.amount - given))
    return result


def outstanding_amount(booking: Booking) -> Decimal:
    """What the customer still owes: the frozen price less what was taken or is held."""
    summary = money_summary(booking)
    return max(booking.amount - summary.paid - summary.authorized, ZERO)


def derive_payment_status(booking: Booking) -> tuple[str, str | None]:
    """(payment_status, payment_method) from the rows; the booking never has them typed in."""
    summary = money_summary(booking)
    latest = db.session.scalar(db.select(Payment.method).where(
        Payment.booking_id == booking.id, Payment.status.in_(("succeeded", "authorized")))
        .order_by(Payment.id.desc()).limit(1))
    method = latest or booking.payment_method
    if summary.paid > 0 and summary.refunded >= summary.paid:
        return "refunded", method
    if summary.paid > 0 and summary.refunded > 0:
        return "partially_refunded", method
    if summary.paid > 0 and summary.paid >= booking.amount:
        return "paid", method
    if summary.authorized > 0:
        return "authorized", method
    if booking.amount == 0:
        return "not_required", booking.payment_method or "free"
    return "unpaid", method


def refresh_payment_status(booking: Booking) -> None:
    """Write the derived status onto the booking (the column everything else reads)."""
    status, method = derive_payment_status(booking)
    if (booking.payment_status, booking.payment_method) != (status, method):
        booking.payment_status, booking.payment_method = status, method
