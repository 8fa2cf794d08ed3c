"""The cancellation and rescheduling policy, read from the booking's consultation type.

Refunds (defaults): 48 hours or more before the start, everything back; from 24 up to 48 hours,
`refund_partial_percent` (50%); under 24 hours, nothing. That is for a customer's own
cancellation. When the business cancels (staff, or a rejected request) the customer gets all
they paid back. What is returned here is an entitlement: moving the money is the payments
domain's job, which also caps it at what was actually captured.

Rescheduling: a customer may move a booking until `reschedule_min_hours` before its start;
staff may move it at any time (a coach falls ill).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from ..core.money import percent_of, quantize

if TYPE_CHECKING:
    from .models import Booking

# Payment states in which the customer has money with us. `Booking.payment_status` is derived and
# written by the payments domain alone (payments/status.py: payments minus refunds).
PAID_STATES = ("authorized", "paid", "partially_refunded")


def hours_before_start(booking: "Booking", now: datetime) -> Decimal:
    return Decimal((booking.starts_at - now).total_seconds()) / Decimal(3600)


def refund_percent(booking: "Booking", now: datetime, *, by: str = "customer") -> int:
    """The share of the price the policy gives back for a cancellation at `now`."""
    if by != "customer":
        return 100
    ctype = booking.consultation_type
    hours_left = hours_before_start(booking, now)
    if hours_left >= ctype.refund_full_hours:
        return 100
    if hours_left >= ctype.refund_partial_hours:
        return ctype.refund_partial_percent
    return 0


def has_paid(booking: "Booking") -> bool:
    """Money taken or held for this booking, as the payments domain last derived it."""
    return booking.amount > 0 and booking.payment_status in PAID_STATES


def refund_for_cancellation(booking: "Booking", now: datetime, *, by: str = "customer") -> tuple[Decimal, int]:
    """(amount, percent) the customer is owed when the booking is cancelled at `now` by `by`.

    Nothing is owed on a free booking or one never paid for: (0.00, 0).
    """
    if not has_paid(booking):
        return quantize(0, booking.currency), 0
    percent = refund_percent(booking, now, by=by)
    return percent_of(booking.amount, percent, booking.currency), percent


def reschedule_deadline(booking: "Booking") -> datetime:
    """The last moment a customer may move this booking themselves."""
    return booking.starts_at - timedelta(hours=booking.consultation_type.reschedule_min_hours)


def customer_may_reschedule(booking: "Booking", now: datetime) -> bool:
    return now <= reschedule_deadline(booking)
