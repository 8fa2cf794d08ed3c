"""No double booking, under real concurrency: N customers at one seat, each on its own connection.

Threads wait at a barrier holding an open connection, then all book at once. The database (the
per-coach lock and, on PostgreSQL, the exclusion constraint) must let exactly the seats through
and answer everyone else with a clean Conflict(code="slot_taken").
"""
from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bookingadmin.auth.models import User
from bookingadmin.bookings import lifecycle, placement
from bookingadmin.bookings.models import ACTIVE_STATUSES, Booking
from bookingadmin.core.clock import utcnow
from bookingadmin.core.errors import Conflict
from bookingadmin.extensions import db
from tests.conftest import make_app
from tests.factories import local_time

ATTEMPTS = 20


@pytest.fixture
def race_app(app, tmp_path):
    """A second app on the same database with a pool big enough for every thread at once."""
    racer = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path,
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_size": ATTEMPTS + 2, "max_overflow": 0, "pool_timeout": 60})
    yield racer
    with racer.app_context():
        db.engine.dispose()


def _race(racer, args: list, attempt) -> list[str]:
    """Run attempt(arg) in one thread per arg, all released together; their outcomes in order."""
    barrier = threading.Barrier(len(args))
    outcomes: list[str | None] = [None] * len(args)

    def run(i: int) -> None:
        with racer.app_context():
            try:
                db.session.execute(sa.select(1))  # each thread holds its own connection before the start
                barrier.wait(timeout=60)
                attempt(args[i])
                db.session.commit()
                outcomes[i] = "booked"
            except Conflict as error:
                db.session.rollback()
                outcomes[i] = error.code
            except Exception as error:  # anything else is a failure the assertion shows
                db.session.rollback()
                outcomes[i] = f"{type(error).__name__}: {error}"

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(args))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _customers(make_person, n: int) -> list[int]:
    return [make_person().id for _ in range(n)]


def _active_at(coach_id: int, starts_at) -> int:
    return db.session.scalar(sa.select(sa.func.count(Booking.id)).where(
        Booking.coach_id == coach_id, Booking.starts_at == starts_at, Booking.status.in_(ACTIVE_STATUSES)))


def test_twenty_customers_one_seat_exactly_one_booking(race_app, make_catalog, make_person):
    cat = make_catalog()
    starts_at = local_time(cat.coach, days=3, at="10:00")
    customer_ids = _customers(make_person, ATTEMPTS)
    now = utcnow()
    type_id, coach_id = cat.paid.id, cat.coach.id  # main-thread objects stay out of the threads

    def attempt(customer_id):
        customer = db.session.get(User, customer_id)
        lifecycle.create_booking(customer=customer, consultation_type_id=type_id, coach_id=coach_id,
                                 duration_minutes=60, starts_at=starts_at, meeting_type="online",
                                 timezone="Asia/Riyadh", actor=customer, now=now)

    outcomes = _race(race_app, customer_ids, attempt)
    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("slot_taken") == ATTEMPTS - 1, outcomes
    db.session.rollback()
    assert _active_at(cat.coach.id, starts_at) == 1
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1  # the losers wrote nothing


@pytest.mark.parametrize("where", ["slot", "weekly hours"])
def test_twenty_customers_at_a_three_seat_group_session(race_app, make_catalog, make_slot, make_person, where):
    cat = make_catalog()
    day = utcnow().astimezone(ZoneInfo(cat.coach.timezone)).date() + timedelta(days=4)
    slot = make_slot(cat.coach, day=day, start="21:00", end="22:00", capacity=3, ctype=cat.group) \
        if where == "slot" else None
    starts_at = local_time(cat.coach, on=day, at="21:00" if slot else "11:00")
    customer_ids = _customers(make_person, ATTEMPTS)
    now = utcnow()
    type_id, coach_id, slot_id = cat.group.id, cat.coach.id, slot.id if slot else None

    def attempt(customer_id):
        customer = db.session.get(User, customer_id)
        lifecycle.create_booking(customer=customer, consultation_type_id=type_id, coach_id=coach_id,
                                 duration_minutes=60, starts_at=starts_at, meeting_type="online",
                                 timezone="Asia/Riyadh", actor=customer, now=now, slot_id=slot_id)

    outcomes = _race(race_app, customer_ids, attempt)
    assert outcomes.count("booked") == 3, outcomes
    assert outcomes.count("slot_taken") == ATTEMPTS - 3, outcomes
    db.session.rollback()
    assert _active_at(cat.coach.id, starts_at) == 3
    assert set(db.session.scalars(sa.select(Booking.slot_id))) == {slot.id if slot else None}
    assert set(db.session.scalars(sa.select(Booking.exclusive))) == {False}


def test_concurrent_reschedules_onto_one_free_time(race_app, make_booking):
    """Eight confirmed bookings all try to move to the same free hour at once: one gets it."""
    bookings = [make_booking("confirmed") for _ in range(8)]
    target = bookings[0].starts_at + timedelta(days=10)
    ids = [b.id for b in bookings]
    now = utcnow()

    def attempt(booking_id):
        booking = db.session.get(Booking, booking_id)
        lifecycle.reschedule(booking, starts_at=target, actor=None, now=now, reason="race")

    outcomes = _race(race_app, ids, attempt)
    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("slot_taken") == len(bookings) - 1, outcomes
    db.session.rollback()
    assert _active_at(bookings[0].coach_id, target) == 1


@pytest.mark.postgres_only
def test_the_exclusion_constraint_refuses_overlaps_whatever_the_code_does(app, make_booking):
    first = make_booking("confirmed")
    second = make_booking("confirmed")
    # Bypass every check in Python: move the second booking onto the first one's time by hand.
    second.starts_at, second.ends_at = first.starts_at + timedelta(minutes=30), first.ends_at + timedelta(minutes=30)
    second.busy_from, second.busy_until = second.starts_at, second.ends_at
    with pytest.raises(IntegrityError) as refused:
        db.session.flush()
    assert refused.value.orig.sqlstate == "23P01"
    db.session.rollback()

    # lifecycle turns that refusal into the same clean answer as a lost race.
    second = db.session.get(Booking, second.id)
    placement.place(second, second.consultation_type, first.starts_at, None)
    with pytest.raises(Conflict) as taken:
        placement.flush_placement()
    assert taken.value.code == "slot_taken" and taken.value.message == "That time was just taken"
    db.session.rollback()


@pytest.mark.postgres_only
def test_the_constraint_ignores_cancelled_and_group_bookings(app, make_booking, factories):
    cancelled = make_booking("cancelled")
    again = make_booking("confirmed", starts_at=cancelled.starts_at)
    assert again.starts_at == cancelled.starts_at
    group = factories.default_catalog.group
    seats = [make_booking("confirmed", ctype=group, starts_at=again.starts_at + timedelta(days=1))
             for _ in range(3)]
    assert {s.exclusive for s in seats} == {False}
