"""What a booking brought in, as SQL over the bookings table: one definition for every figure.

Revenue is the booking's succeeded payments minus its succeeded refunds (DESIGN.md: a booking's
money is derived from its payments and refunds, never typed in).
"""
from __future__ import annotations

from sqlalchemy import func, select

from ..bookings.models import Booking
from ..payments.models import Payment, Refund

# Payment states in which a booking counts as bringing money in.
REVENUE_PAYMENT_STATUSES = ("paid", "partially_refunded")


def booking_revenue():
    """SQL expression: the money one bookings row brought in (Numeric)."""
    paid = (select(func.coalesce(func.sum(Payment.amount), 0))
            .where(Payment.booking_id == Booking.id, Payment.status == "succeeded").scalar_subquery())
    refunded = (select(func.coalesce(func.sum(Refund.amount), 0))
                .where(Refund.booking_id == Booking.id, Refund.status == "succeeded").scalar_subquery())
    return paid - refunded


def counts_as_revenue():
    """SQL condition: the booking is one of those revenue comes from (for averages and counts)."""
    return Booking.payment_status.in_(REVENUE_PAYMENT_STATUSES)


def revenue_note() -> str:
    return "Revenue: succeeded payments minus succeeded refunds of each booking, on the day of the consultation."
