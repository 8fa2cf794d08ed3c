"""Booking numbers: CB-YYYYMMDD-XXXX on the business's date, unique, drawn again on a clash."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from bookingadmin.bookings import numbers
from bookingadmin.bookings.models import Booking
from bookingadmin.extensions import db


def test_format_uses_the_business_date():
    late_evening_utc = datetime(2031, 3, 4, 22, 30, tzinfo=timezone.utc)
    number = numbers.new_booking_number(late_evening_utc, "Asia/Riyadh")
    assert numbers.is_booking_number(number)
    assert number.startswith("CB-20310305-")  # already the 5th in Riyadh
    assert numbers.new_booking_number(late_evening_utc, "UTC").startswith("CB-20310304-")
    assert not set(number[-4:]) & set("01OIL")


def test_numbers_of_many_bookings_are_unique_and_well_formed(make_booking):
    made = [make_booking("pending_payment") for _ in range(12)]
    found = db.session.scalars(sa.select(Booking.number)).all()
    assert len(set(found)) == len(made) == 12
    assert all(numbers.is_booking_number(n) for n in found)


def test_a_clashing_number_is_drawn_again(make_booking, monkeypatch):
    first = make_booking("confirmed")
    clash = first.number[-4:]
    draws = iter([clash, clash, "ZZ99"])
    # Force the random part to repeat the existing number twice: the unique constraint refuses
    # it inside a SAVEPOINT and lifecycle draws again.
    monkeypatch.setattr(numbers, "random_code", lambda: next(draws))
    second = make_booking("confirmed", now=first.created_at)
    assert second.number == first.number[:-4] + "ZZ99"
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 2
    assert [e.action for e in second.events][:1] == ["created"]
