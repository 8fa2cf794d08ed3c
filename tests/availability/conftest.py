"""Fixtures for the availability services: coaches, consultation types and bookings as plain rows.

Named add_* (not make_*) so they do not shadow the shared factories in tests/conftest.py.

Bookings are inserted directly (not through the lifecycle) so these tests pin down exactly
which rows hold a coach's time.
"""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from bookingadmin.bookings.models import Booking
from bookingadmin.catalog.models import CoachProfile, ConsultationType, DurationOption
from bookingadmin.extensions import db



@pytest.fixture
def add_coach(make_user):
    """add_coach(timezone="Europe/London", types=[...]) -> CoachProfile (committed)."""
    counter = itertools.count(1)

    def factory(timezone: str = "Europe/London", types: list[ConsultationType] = (), **fields) -> CoachProfile:
        n = next(counter)
        user = fields.pop("user", None) or make_user(role="coach")
        coach = CoachProfile(user_id=user.id, display_name_en=f"Coach {n}", slug=f"coach-{n}-{user.id}",
                             timezone=timezone, **fields)
        coach.consultation_types = list(types)
        db.session.add(coach)
        db.session.commit()
        return coach

    return factory


@pytest.fixture
def add_type(app):
    """add_type(durations={60: "90.00"}, **fields) -> ConsultationType (committed), easy defaults."""
    counter = itertools.count(1)

    def factory(durations: dict[int, str] | None = None, **fields) -> ConsultationType:
        n = next(counter)
        values = dict(number=100 + n, title_en=f"Type {n}", title_ar="نوع", category="sports", currency="USD",
                      min_notice_minutes=0, max_bookings_per_day=None, slot_step_minutes=30, horizon_days=60)
        values.update(fields)
        ctype = ConsultationType(**values)
        ctype.duration_options = [DurationOption(minutes=m, price=Decimal(p)) for m, p in
                                  (durations or {60: "90.00"}).items()]
        db.session.add(ctype)
        db.session.commit()
        return ctype

    return factory


@pytest.fixture
def book(make_user):
    """book(coach, ctype, starts_at, minutes=60, status="confirmed", ...) -> Booking (committed).

    busy_from/busy_until are the time widened by the type's buffers, as the lifecycle stores them.
    """
    counter = itertools.count(1)
    customers = []

    def factory(coach: CoachProfile, ctype: ConsultationType, starts_at: datetime, minutes: int = 60,
                status: str = "confirmed", slot_id: int | None = None, hold_expires_at: datetime | None = None,
                commit: bool = True, **fields) -> Booking:
        if not customers:
            customers.append(make_user(role="customer"))
        n = next(counter)
        ends_at = starts_at + timedelta(minutes=minutes)
        booking = Booking(
            number=f"CB-20270101-{n:04d}", customer_id=customers[0].id, customer_name="Customer",
            customer_email="customer@example.com", consultation_type_id=ctype.id, type_title_en=ctype.title_en,
            type_category=ctype.category, coach_id=coach.id, slot_id=slot_id, starts_at=starts_at,
            ends_at=ends_at, busy_from=starts_at - timedelta(minutes=ctype.buffer_before_minutes),
            busy_until=ends_at + timedelta(minutes=ctype.buffer_after_minutes),
            exclusive=fields.pop("exclusive", slot_id is None and ctype.capacity == 1),
            duration_minutes=minutes, timezone="UTC", amount=Decimal("90.00"), currency=ctype.currency,
            status=status, hold_expires_at=hold_expires_at, **fields)
        db.session.add(booking)
        if commit:
            db.session.commit()
        return booking

    return factory
