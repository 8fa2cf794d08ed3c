"""What a booking brought in, as SQL over the bookings table: one definition for every figure.

With the payments module installed (its `payments` and `refunds` tables exist), revenue is the
booking's succeeded payments minus its succeeded refunds. Without it, revenue is the booking's
frozen price when its payment status is paid or partially refunded (refunds not subtracted).
"""
from __future__ import annotations

from sqlalchemy import case, func, select

from ..bookings.models import Booking
from ..extensions import db

# Payment states in which a booking counts as bringing money in.
REVENUE_PAYMENT_STATUSES = ("paid", "partially_refunded")


def payments_installed() -> bool:
    return {"payments", "refunds"} <= set(db.metadata.tables)


def booking_revenue():
    """SQL expression: the money one bookings row brought in (Numeric)."""
    if not payments_installed():
        return case((Booking.payment_status.in_(REVENUE_PAYMENT_STATUSES), Booking.amount), else_=0)
    payments, refunds = db.metadata.tables["payments"], db.metadata.tables["refunds"]
    paid = (select(func.coalesce(func.sum(payments.c.amount), 0))
            .where(payments.c.booking_id == Booking.id, payments.c.status == "succeeded").scalar_subquery())
    refunded = (select(func.coalesce(func.sum(refunds.c.amount), 0))
                .where(refunds.c.booking_id == Booking.id, refunds.c.status == "succeeded").scalar_subquery())
    return paid - refunded


def counts_as_revenue():
    """SQL condition: the booking is one of those revenue comes from (for averages and counts)."""
    return Booking.payment_status.in_(REVENUE_PAYMENT_STATUSES)


def revenue_note() -> str:
    if payments_installed():
        return ("Revenue: succeeded payments minus succeeded refunds of each booking, on the day of the "
                "consultation.")
    return ("Revenue: each booking's frozen price, for bookings whose payment status is paid or partially "
            "refunded, on the day of the consultation (refund amounts are not subtracted until the payments "
            "module provides them).")
