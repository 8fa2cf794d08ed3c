"""Cancellation refunds by the policy's windows, and the customer's reschedule window."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bookingadmin.bookings import lifecycle, policy
from bookingadmin.core.errors import Conflict, PermissionDenied
from bookingadmin.extensions import db
from tests.factories import local_time


@pytest.mark.parametrize("hours_before, percent, amount", [
    (49, 100, "90.00"),
    (48, 100, "90.00"),
    (30, 50, "45.00"),
    (24, 50, "45.00"),
    (10, 0, "0.00"),
])
def test_customer_cancellation_refund_follows_the_windows(make_booking, hours_before, percent, amount):
    booking = make_booking("confirmed")
    now = booking.starts_at - timedelta(hours=hours_before)
    result = lifecycle.cancel(booking, actor=booking.customer, now=now, reason="Can't make it", by="customer")
    db.session.commit()
    assert (result.refund_percent, result.refund_amount) == (percent, Decimal(amount))
    assert booking.status == "cancelled" and booking.cancelled_by == "customer" and booking.cancelled_at == now
    assert booking.events[-1].data == {"refund_amount": amount, "refund_percent": percent,
                                       "cancelled_by": "customer"}


def test_the_windows_come_from_the_type(make_booking):
    booking = make_booking("confirmed")
    ctype = booking.consultation_type
    ctype.refund_full_hours, ctype.refund_partial_hours, ctype.refund_partial_percent = 72, 12, 25
    assert policy.refund_for_cancellation(booking, booking.starts_at - timedelta(hours=49)) == (Decimal("22.50"), 25)
    assert policy.refund_for_cancellation(booking, booking.starts_at - timedelta(hours=11)) == (Decimal("0.00"), 0)


def test_free_and_unpaid_bookings_owe_nothing(make_booking, factories):
    free = make_booking("confirmed", ctype=factories.default_catalog.free)
    result = lifecycle.cancel(free, actor=free.customer, now=free.starts_at - timedelta(days=2), reason="x",
                              by="customer")
    assert (result.refund_amount, result.refund_percent) == (Decimal("0.00"), 0)
    unpaid = make_booking("pending_payment")
    result = lifecycle.cancel(unpaid, actor=unpaid.customer, now=unpaid.created_at + timedelta(minutes=1),
                              reason="Changed my mind", by="customer")
    assert (result.refund_amount, result.refund_percent) == (Decimal("0.00"), 0)


def test_the_business_cancelling_refunds_everything(make_booking, support):
    booking = make_booking("confirmed")
    result = lifecycle.cancel(booking, actor=support, now=booking.starts_at - timedelta(hours=2),
                              reason="Coach is ill", by="staff")
    assert (result.refund_amount, result.refund_percent) == (Decimal("90.00"), 100)
    assert booking.events[-1].actor_id == support.id and booking.cancelled_by == "staff"


def test_staff_cancelling_on_the_customers_behalf_applies_the_policy(make_booking, support):
    booking = make_booking("confirmed")
    result = lifecycle.cancel(booking, actor=support, now=booking.starts_at - timedelta(hours=30),
                              reason="Customer phoned", by="customer")
    assert result.refund_percent == 50 and booking.cancelled_by == "customer"


def test_a_customer_cannot_claim_the_business_cancelled(make_booking):
    booking = make_booking("confirmed")
    with pytest.raises(PermissionDenied):
        lifecycle.cancel(booking, actor=booking.customer, now=booking.starts_at - timedelta(hours=2),
                         reason="x", by="staff")
    assert booking.status == "confirmed"


def test_a_customer_cannot_cancel_after_the_start(make_booking):
    booking = make_booking("confirmed")
    with pytest.raises(Conflict) as refused:
        lifecycle.cancel(booking, actor=booking.customer, now=booking.starts_at + timedelta(minutes=1),
                         reason="x", by="customer")
    assert refused.value.code == "too_late"


def test_customer_reschedules_inside_the_window_and_history_keeps_the_old_time(make_booking):
    booking = make_booking("confirmed")
    old_start = booking.starts_at
    now = old_start - timedelta(hours=25)
    new_start = local_time(booking.coach, on=(old_start + timedelta(days=1)).astimezone(
        __import__("zoneinfo").ZoneInfo(booking.coach.timezone)).date(), at="15:00")
    lifecycle.reschedule(booking, starts_at=new_start, actor=booking.customer, now=now, reason="Work trip")
    db.session.commit()
    assert booking.status == "rescheduled" and booking.starts_at == new_start
    assert booking.ends_at == new_start + timedelta(minutes=60) and booking.busy_from == new_start
    assert booking.rescheduled_from_starts_at == old_start and booking.reschedule_count == 1
    event = booking.events[-1]
    assert event.data == {"from_starts_at": old_start.isoformat(), "to_starts_at": new_start.isoformat()}
    assert (event.from_status, event.to_status, event.reason) == ("confirmed", "rescheduled", "Work trip")


def test_customer_cannot_reschedule_once_the_window_closed_but_staff_can(make_booking, support):
    booking = make_booking("confirmed")
    now = booking.starts_at - timedelta(hours=23)
    new_start = booking.starts_at + timedelta(days=1)
    with pytest.raises(Conflict) as refused:
        lifecycle.reschedule(booking, starts_at=new_start, actor=booking.customer, now=now)
    assert refused.value.code == "reschedule_window_closed" and "24 hours" in refused.value.message
    assert not lifecycle.can("reschedule", booking, booking.customer, now)
    assert lifecycle.can("reschedule", booking, support, now)
    lifecycle.reschedule(booking, starts_at=new_start, actor=support, now=now, reason="Customer phoned")
    assert booking.starts_at == new_start


def test_reschedule_only_to_a_bookable_time(make_booking):
    from bookingadmin.core.errors import DomainError

    taken = make_booking("confirmed")
    booking = make_booking("confirmed")
    now = booking.starts_at - timedelta(days=2)
    with pytest.raises(Conflict) as refused:
        lifecycle.reschedule(booking, starts_at=taken.starts_at, actor=booking.customer, now=now)
    assert refused.value.code == "slot_taken"
    night = local_time(booking.coach, on=booking.starts_at.date(), at="23:30")
    with pytest.raises(DomainError) as refused:
        lifecycle.reschedule(booking, starts_at=night, actor=booking.customer, now=now)
    assert "starts_at" in refused.value.fields
    db.session.rollback()
    db.session.refresh(booking)
    assert booking.status == "confirmed" and booking.reschedule_count == 0


def test_rescheduling_next_to_itself_does_not_collide_with_itself(make_booking):
    booking = make_booking("confirmed")
    lifecycle.reschedule(booking, starts_at=booking.starts_at + timedelta(minutes=30), actor=booking.customer,
                         now=booking.starts_at - timedelta(days=2))
    db.session.commit()
    assert booking.status == "rescheduled"
