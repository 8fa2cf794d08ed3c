"""Unpaid bookings hold their time for HOLD_MINUTES; `flask expire-holds` and new bookings release expired ones."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bookingadmin.bookings import lifecycle
from bookingadmin.bookings.models import Booking
from bookingadmin.core.clock import utcnow
from bookingadmin.core.errors import Conflict
from bookingadmin.extensions import db


def _rebook(booking, customer, now):
    return lifecycle.create_booking(
        customer=customer, consultation_type_id=booking.consultation_type_id, coach_id=booking.coach_id,
        duration_minutes=booking.duration_minutes, starts_at=booking.starts_at, meeting_type="online",
        timezone="UTC", actor=customer, now=now)


def test_expire_holds_command_cancels_expired_holds_as_the_system(app, make_booking, make_person):
    # (Made in this order: making a booking also releases the coach's holds expired by then.)
    fresh = make_booking("pending_payment", now=utcnow() - timedelta(minutes=1))
    expired = make_booking("pending_payment", now=utcnow() - timedelta(minutes=20))
    paid = make_booking("confirmed", now=utcnow() - timedelta(minutes=20))
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["expire-holds"])
    assert result.exit_code == 0, result.output
    assert "Released 1 expired payment hold" in result.output

    db.session.expire_all()
    assert db.session.get(Booking, fresh.id).status == "pending_payment"
    assert db.session.get(Booking, paid.id).status == "confirmed"
    expired = db.session.get(Booking, expired.id)
    assert (expired.status, expired.cancelled_by, expired.hold_expires_at) == ("cancelled", "system", None)
    event = expired.events[-1]
    assert (event.action, event.actor_id, event.actor_role, event.from_status) == (
        "cancelled", None, "system", "pending_payment")
    assert event.data == {"refund_amount": "0.00", "refund_percent": 0, "cancelled_by": "system",
                          "hold_expired": True}

    # The freed time can be booked by someone else.
    other = make_person()
    assert _rebook(expired, other, utcnow()).status == "pending_payment"
    db.session.commit()

    again = app.test_cli_runner().invoke(args=["expire-holds"])
    assert "Released 0 expired payment holds" in again.output


def test_a_hold_blocks_the_time_until_it_expires(make_booking, make_person):
    made = utcnow()
    hold = make_booking("pending_payment", now=made)
    other = make_person()
    with pytest.raises(Conflict) as refused:
        _rebook(hold, other, made + timedelta(minutes=14))
    assert refused.value.code == "slot_taken"
    db.session.rollback()


def test_an_expired_unswept_hold_never_blocks_a_customer(make_booking, make_person, recorded_events):
    made = utcnow()
    hold = make_booking("pending_payment", now=made)
    other = make_person()
    later = made + timedelta(minutes=16)
    booking = _rebook(hold, other, later)
    db.session.commit()
    db.session.refresh(hold)
    assert booking.status == "pending_payment" and booking.customer_id == other.id
    assert (hold.status, hold.cancelled_by, hold.cancelled_at) == ("cancelled", "system", later)
    assert [e.action for e in recorded_events][-2:] == ["cancelled", "created"]


def test_expire_holds_is_idempotent_and_skips_paid_holds(make_booking):
    made = utcnow() - timedelta(hours=1)
    paid_late = make_booking("pending_payment", now=made)
    hold = make_booking("pending_payment", now=made)
    lifecycle.mark_paid(paid_late, actor=None, now=made + timedelta(minutes=20), method="stripe")
    db.session.commit()
    assert lifecycle.expire_holds(utcnow()) == 1
    assert lifecycle.expire_holds(utcnow()) == 0
    db.session.commit()
    assert (hold.status, paid_late.status) == ("cancelled", "confirmed")


def test_free_bookings_never_hold(make_booking, factories):
    free = make_booking("confirmed", ctype=factories.default_catalog.free, now=utcnow() - timedelta(hours=2))
    assert free.hold_expires_at is None
    assert lifecycle.expire_holds(utcnow()) == 0
