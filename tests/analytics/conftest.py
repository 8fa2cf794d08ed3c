"""A small hand-built week of bookings whose every figure is known (see `week` below)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from bookingadmin.bookings.models import Booking
from bookingadmin.catalog.models import CoachProfile, ConsultationType
from bookingadmin.extensions import db
from bookingadmin.payments.models import Payment, Refund
from tests.analytics.week import MONDAY, riyadh


@dataclass
class Week:
    coach_a: CoachProfile
    coach_b: CoachProfile
    usd: ConsultationType
    sar: ConsultationType
    bookings: dict[str, Booking]


def _add_money(booking: Booking, paid_at) -> None:
    """The payment rows behind a paid / refunded status: revenue is payments minus refunds."""
    if booking.payment_status not in ("paid", "partially_refunded", "refunded"):
        return
    payment = Payment(booking=booking, method="cash", status="succeeded", amount=booking.amount,
                      currency=booking.currency, succeeded_at=paid_at)
    db.session.add(payment)
    if booking.payment_status == "refunded":
        db.session.add(Refund(booking=booking, payment=payment, amount=booking.amount, currency=booking.currency,
                              status="succeeded", source="cancellation", reason="cancelled",
                              idempotency_key=f"test-{booking.number}"))


@pytest.fixture
def add_booking(make_user):
    """Insert a booking row as it would stand after its history (analytics only reads rows)."""
    customer = make_user(role="customer")
    numbers = itertools.count(1)

    def add(coach, ctype, starts_at, minutes, status, amount, *, payment_status="paid", created_at=None,
            paid_at=None, confirmed_at=None, rating=None, updated_at=None):
        created_at = created_at or starts_at - timedelta(days=10)
        booking = Booking(
            number=f"CB-20260301-{next(numbers):04d}", customer_id=customer.id, customer_name=customer.name,
            customer_email=customer.email, consultation_type_id=ctype.id, type_title_en=ctype.title_en,
            type_category=ctype.category, coach_id=coach.id, starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes), busy_from=starts_at,
            busy_until=starts_at + timedelta(minutes=minutes), duration_minutes=minutes, timezone="Asia/Riyadh",
            amount=Decimal(amount), currency=ctype.currency, payment_status=payment_status, status=status,
            created_at=created_at, updated_at=updated_at or created_at, paid_at=paid_at, confirmed_at=confirmed_at,
            feedback_rating=rating)
        db.session.add(booking)
        _add_money(booking, paid_at or created_at)
        db.session.commit()
        return booking

    return add


@pytest.fixture
def week(app, make_coach, make_type, add_booking):
    """Two coaches, a USD and a SAR type, and seven bookings on 2–9 March 2026 (Riyadh clock).

    Coach A works Mon–Fri 09:00–17:00 (480 min a day); coach B every day 10:00–14:00 (240 min).
    """
    app.config["ANALYTICS_TIMEZONE"] = "Asia/Riyadh"
    weekdays = [(d, "09:00", "17:00") for d in range(5)]
    coach_a = make_coach(timezone="Asia/Riyadh", hours=weekdays, display_name_en="Coach A")
    coach_b = make_coach(timezone="Asia/Riyadh", hours=[(d, "10:00", "14:00") for d in range(7)],
                         display_name_en="Coach B")
    usd = make_type(coaches=[coach_a, coach_b], options=((30, "50.00"), (60, "90.00")), title_en="Training")
    sar = make_type(coaches=[coach_a, coach_b], options=((45, "150.00"), (60, "190.00")), currency="SAR",
                    title_en="Life coaching")
    mon, tue, wed, thu = (MONDAY + timedelta(days=n) for n in range(4))
    paid1 = riyadh(mon - timedelta(days=10), 10, 5)
    paid2 = riyadh(mon - timedelta(days=9), 9)
    paid3 = riyadh(mon - timedelta(days=8), 9)
    b = {
        # waited 2 h for a confirmation; rated 5
        "one": add_booking(coach_a, usd, riyadh(mon, 10), 60, "completed", "90.00", paid_at=paid1,
                           confirmed_at=paid1 + timedelta(hours=2), rating=5),
        # waited 30 min; rated 3
        "two": add_booking(coach_a, usd, riyadh(mon, 14), 30, "completed", "50.00", paid_at=paid2,
                           confirmed_at=paid2 + timedelta(minutes=30), rating=3),
        # waited 4 h
        "three": add_booking(coach_a, usd, riyadh(tue, 10), 60, "no_show", "90.00", paid_at=paid3,
                             confirmed_at=paid3 + timedelta(hours=4)),
        # paid, then cancelled and refunded: no revenue
        "four": add_booking(coach_a, sar, riyadh(wed, 16), 60, "cancelled", "190.00", payment_status="refunded",
                            paid_at=paid3),
        # confirmed on payment (no wait: not in the median)
        "five": add_booking(coach_b, sar, riyadh(wed, 10), 45, "confirmed", "150.00", paid_at=paid3,
                            confirmed_at=paid3),
        # 23:30 in Riyadh is still Thursday there (20:30 UTC); not paid yet
        "six": add_booking(coach_b, usd, riyadh(thu, 23, 30), 60, "pending_payment", "90.00",
                           payment_status="unpaid"),
        # the next Monday: outside the week
        "seven": add_booking(coach_a, usd, riyadh(MONDAY + timedelta(days=7), 10), 60, "completed", "90.00",
                             paid_at=paid1, confirmed_at=paid1),
    }
    return Week(coach_a, coach_b, usd, sar, b)
