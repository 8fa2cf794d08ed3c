"""Demo bookings for `make run`: a few weeks of history and the weeks ahead, so the dashboard,
calendar and analytics have something to show. Every booking is made and moved by the real
services (lifecycle, payments), at the moment it would have happened.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Callable

from .auth.models import User
from .availability import services as availability
from .bookings import lifecycle, operations
from .bookings.models import Booking
from .catalog.models import CoachProfile
from .extensions import db
from .payments.services import record_manual_payment

CUSTOMER_EMAILS = ("lina@example.com", "adam@example.com")
FEEDBACK = ((5, "Clear plan, very motivating."), (4, "Helpful session."), (5, "Exactly what I needed."))


def seed_demo_bookings(now: datetime, progress: Callable[[str], None] = lambda _: None) -> int:
    """Book past and future consultations for the demo customers; nothing when they have bookings."""
    customers = db.session.scalars(db.select(User).where(User.email.in_(CUSTOMER_EMAILS))).all()
    if not customers or db.session.scalar(db.select(Booking.id).where(
            Booking.customer_id.in_([c.id for c in customers])).limit(1)):
        return 0
    rng = random.Random(2026)
    made = 0
    for day_offset in range(-27, 15, 2):
        for coach in db.session.scalars(db.select(CoachProfile).order_by(CoachProfile.id)):
            ctype = rng.choice([t for t in coach.consultation_types if t.capacity == 1])
            if _book_one(coach, ctype, rng.choice(customers), now + timedelta(days=day_offset), now, rng):
                made += 1
                progress(f"  demo booking {made}")
    return made


def _book_one(coach, ctype, customer, day: datetime, now: datetime, rng: random.Random) -> bool:
    option = ctype.default_option
    made_at = min(now, day - timedelta(days=3))
    local_day = day.astimezone(customer_zone(customer)).date()
    times = availability.bookable_times(coach_id=coach.id, consultation_type_id=ctype.id,
                                        duration_minutes=option.minutes, start=local_day, end=local_day,
                                        viewer_tz=customer.timezone, now=made_at)
    if not times:
        return False
    chosen = rng.choice(times)
    booking = lifecycle.create_booking(
        customer=customer, consultation_type_id=ctype.id, coach_id=coach.id, duration_minutes=option.minutes,
        starts_at=chosen.starts_at, meeting_type="online" if ctype.meeting_mode != "in_person" else "in_person",
        timezone=customer.timezone, actor=customer, now=made_at, slot_id=chosen.slot_id,
        intake={"goals": "Feel fitter and sleep better", "fitness_level": "beginner"})
    _move_along(booking, customer, made_at, now, rng)
    db.session.commit()
    return True


def _move_along(booking: Booking, customer: User, made_at: datetime, now: datetime, rng: random.Random) -> None:
    """Pay, confirm and (for past sessions) complete, as staff and customers would have."""
    roll = rng.random()
    if booking.starts_at > now and roll < 0.12:
        return  # still waiting for payment
    if booking.status == "pending_payment":
        record_manual_payment(booking, amount=booking.amount, method=rng.choice(("cash", "bank_transfer")),
                              actor=None, now=made_at + timedelta(minutes=5))
    if roll > 0.9:
        operations.cancel_booking(booking, actor=customer, now=made_at + timedelta(hours=2),
                                  reason="Plans changed", by="customer")
        return
    if booking.status == "pending_confirmation" and (booking.starts_at < now or roll < 0.6):
        lifecycle.confirm(booking, actor=None, now=made_at + timedelta(hours=3))
    if booking.ends_at < now and booking.status == "confirmed":
        finished = booking.ends_at + timedelta(minutes=10)
        if roll < 0.08:
            lifecycle.mark_no_show(booking, actor=None, now=finished)
            return
        lifecycle.complete(booking, actor=None, now=finished)
        if roll < 0.7:
            rating, comment = rng.choice(FEEDBACK)
            lifecycle.leave_feedback(booking, rating=rating, comment=comment, actor=customer,
                                     now=finished + timedelta(hours=2))


def customer_zone(customer: User):
    from zoneinfo import ZoneInfo

    return ZoneInfo(customer.timezone)
