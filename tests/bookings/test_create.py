"""create_booking: prices decided on the server and frozen, free types, holds, contact and intake, bad input."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from bookingadmin.bookings import lifecycle
from bookingadmin.bookings.models import Booking, BookingEvent
from bookingadmin.core.clock import utcnow
from bookingadmin.core.errors import Conflict, DomainError, PermissionDenied
from bookingadmin.extensions import db
from tests.factories import local_time


@pytest.fixture
def cat(make_catalog):
    return make_catalog()


def _book(cat, *, ctype=None, now=None, **overrides):
    ctype = ctype or cat.paid
    fields = dict(customer=cat.customer, consultation_type_id=ctype.id, coach_id=cat.coach.id,
                  duration_minutes=ctype.default_option.minutes, starts_at=local_time(cat.coach, days=3, at="10:00"),
                  meeting_type="online", timezone="Europe/London", actor=cat.customer, now=now or utcnow())
    fields.update(overrides)
    return lifecycle.create_booking(**fields)


def test_a_paid_booking_waits_for_payment_holding_its_time(app, cat, recorded_events):
    now = utcnow()
    booking = _book(cat, now=now, duration_minutes=30)
    db.session.commit()
    assert booking.status == "pending_payment" and booking.payment_status == "unpaid"
    assert booking.hold_expires_at == now + timedelta(minutes=app.config["HOLD_MINUTES"])
    assert (booking.amount, booking.currency) == (Decimal("50.00"), "USD")
    assert booking.ends_at - booking.starts_at == timedelta(minutes=30)
    assert (booking.busy_from, booking.busy_until, booking.exclusive) == (booking.starts_at, booking.ends_at, True)
    assert booking.type_title_en == cat.paid.title_en and booking.type_category == "sports"
    assert booking.created_at == now
    assert [e.action for e in recorded_events] == ["created"]
    event = booking.events[0]
    assert (event.from_status, event.to_status, event.actor_id) == (None, "pending_payment", cat.customer.id)
    assert event.data["amount"] == "50.00" and event.data["starts_at"] == booking.starts_at.isoformat()


def test_hold_minutes_is_configurable(app, cat):
    app.config["HOLD_MINUTES"] = 5
    now = utcnow()
    assert _book(cat, now=now).hold_expires_at == now + timedelta(minutes=5)


def test_the_price_is_frozen_when_the_type_changes_later(cat):
    booking = _book(cat)
    db.session.commit()
    cat.paid.option_for(60).price = Decimal("120.00")
    cat.paid.title_en = "Renamed"
    db.session.commit()
    db.session.expire_all()
    booking = db.session.get(Booking, booking.id)
    assert booking.amount == Decimal("90.00") and booking.type_title_en != "Renamed"


def test_free_types_skip_payment(cat):
    booking = _book(cat, ctype=cat.free)
    assert booking.status == "confirmed" and booking.payment_status == "not_required"
    assert booking.amount == Decimal("0.00") and booking.hold_expires_at is None and booking.confirmed_at


def test_free_types_that_need_approval_wait_for_it(cat, make_type):
    free_vip = make_type(coaches=[cat.coach], options=((45, "0"),), requires_approval=True)
    booking = _book(cat, ctype=free_vip)
    assert booking.status == "pending_confirmation" and booking.payment_status == "not_required"


def test_group_bookings_are_not_exclusive_and_buffers_widen_busy_time(cat, make_type):
    assert _book(cat, ctype=cat.group).exclusive is False
    buffered = make_type(coaches=[cat.coach], buffer_before_minutes=10, buffer_after_minutes=15)
    booking = _book(cat, ctype=buffered, starts_at=local_time(cat.coach, days=4, at="14:00"))
    assert booking.busy_from == booking.starts_at - timedelta(minutes=10)
    assert booking.busy_until == booking.ends_at + timedelta(minutes=15)


def test_contact_defaults_to_the_account_and_can_be_edited(cat):
    plain = _book(cat)
    assert (plain.customer_name, plain.customer_email, plain.customer_phone) == (
        cat.customer.name, cat.customer.email, "+966501234567")
    edited = _book(cat, starts_at=local_time(cat.coach, days=4), contact={
        "name": "Lina B.", "email": "Lina.B@Example.com", "phone": "+44 7911 123456"})
    assert (edited.customer_name, edited.customer_email, edited.customer_phone) == (
        "Lina B.", "lina.b@example.com", "+447911123456")


def test_intake_is_encrypted_at_rest(cat):
    booking = _book(cat, intake={"injuries": "left knee (ACL, 2023)", "goals": "run 10k"})
    db.session.commit()
    stored = db.session.execute(sa.text("SELECT intake_encrypted FROM bookings WHERE id = :id"),
                                {"id": booking.id}).scalar_one()
    assert "knee" not in stored and stored.startswith("gAAAA")
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).intake["injuries"] == "left knee (ACL, 2023)"


def test_preferred_and_alternative_times_are_kept(cat):
    from datetime import date, time

    starts_at = local_time(cat.coach, days=3, at="10:00")
    booking = _book(cat, starts_at=starts_at, alternative=(date(2031, 1, 2), time(18, 30)))
    london = starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London"))
    assert (booking.preferred_date, booking.preferred_time) == (london.date(), london.time())
    assert (booking.alternative_date, booking.alternative_time) == (date(2031, 1, 2), time(18, 30))


def test_staff_may_book_for_a_customer_but_customers_only_for_themselves(cat, make_person):
    support = make_person(role="support")
    booking = _book(cat, actor=support, source="admin")
    assert booking.events[0].actor_id == support.id and booking.source == "admin"
    stranger = make_person()
    with pytest.raises(PermissionDenied):
        _book(cat, actor=stranger, starts_at=local_time(cat.coach, days=5))
    other_coach = make_person(role="coach")
    with pytest.raises(PermissionDenied):
        _book(cat, actor=other_coach, starts_at=local_time(cat.coach, days=5))


def _bad_inputs(cat):
    coach = cat.coach
    return {
        "unknown type": (dict(consultation_type_id=999_999), "consultation_type_id"),
        "type as text": (dict(consultation_type_id="1"), "consultation_type_id"),
        "unknown coach": (dict(coach_id=999_999), "coach_id"),
        "duration not offered": (dict(duration_minutes=45), "duration_minutes"),
        "time not bookable": (dict(starts_at=local_time(coach, days=3, at="23:00")), "starts_at"),
        "time off the grid": (dict(starts_at=local_time(coach, days=3, at="10:07")), "starts_at"),
        "past time": (dict(starts_at=local_time(coach, days=-1, at="10:00")), "starts_at"),
        "beyond the horizon": (dict(starts_at=local_time(coach, days=90, at="10:00")), "starts_at"),
        "naive time": (dict(starts_at=datetime(2031, 1, 1, 10)), "starts_at"),
        "not a time": (dict(starts_at="tomorrow"), "starts_at"),
        "meeting type": (dict(meeting_type="carrier pigeon"), "meeting_type"),
        "timezone": (dict(timezone="Mars/Base"), "timezone"),
        "email": (dict(contact={"email": "not-an-email"}), "email"),
        "phone": (dict(contact={"phone": "12345"}), "phone"),
        "blank name": (dict(contact={"name": "  "}), "name"),
        "unknown contact key": (dict(contact={"address": "x"}), "contact"),
        "intake not a dict": (dict(intake=["a"]), "intake"),
        "intake not JSON": (dict(intake={"when": datetime(2020, 1, 1)}), "intake"),
        "alternative": (dict(alternative=("2031-01-01", "10:00")), "alternative"),
        "source": (dict(source="fax"), "source"),
    }


def _problem(cat, overrides: dict, field: str) -> str | None:
    try:
        _book(cat, **overrides)
    except Conflict as error:
        return f"a conflict ({error.code}) instead of a field error"
    except DomainError as error:
        db.session.rollback()
        written = db.session.scalar(sa.select(sa.func.count(Booking.id))) + db.session.scalar(
            sa.select(sa.func.count(BookingEvent.id)))
        if field not in error.fields or not error.message:
            return f"named {sorted(error.fields)}, not {field}"
        return f"wrote {written} rows" if written else None
    db.session.rollback()
    return "was accepted"


def test_bad_input_names_the_field_and_writes_nothing(cat):
    problems = {case: _problem(cat, overrides, field) for case, (overrides, field) in _bad_inputs(cat).items()}
    assert {case: problem for case, problem in problems.items() if problem} == {}


def test_online_only_types_refuse_in_person(cat):
    with pytest.raises(DomainError) as refused:
        _book(cat, ctype=cat.free, meeting_type="in_person")
    assert refused.value.fields == {"meeting_type": "This consultation takes place online only"}


def test_a_taken_time_is_a_conflict(cat, make_person):
    _book(cat)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        _book(cat, customer=make_person(), actor=None)
    assert refused.value.code == "slot_taken" and refused.value.status == 409
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1
