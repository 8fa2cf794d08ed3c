"""Every action from every status: the legal ones move the booking and write one event, the rest are 409s."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bookingadmin.bookings import lifecycle
from bookingadmin.bookings.models import BookingEvent, STATUSES
from bookingadmin.core.errors import Conflict
from bookingadmin.extensions import db
from tests.factories import local_time

ACTIONS = ("pay", "confirm", "reject", "reschedule", "cancel", "complete", "no_show", "feedback")

# (action, from status) -> the status it leads to; every pair not listed must be refused.
LEGAL = {
    ("pay", "pending_payment"): "confirmed",
    ("confirm", "pending_confirmation"): "confirmed",
    ("reject", "pending_confirmation"): "cancelled",
    ("reschedule", "pending_confirmation"): "pending_confirmation",
    ("reschedule", "confirmed"): "rescheduled",
    ("reschedule", "rescheduled"): "rescheduled",
    ("cancel", "pending_payment"): "cancelled",
    ("cancel", "pending_confirmation"): "cancelled",
    ("cancel", "confirmed"): "cancelled",
    ("cancel", "rescheduled"): "cancelled",
    ("complete", "confirmed"): "completed",
    ("complete", "rescheduled"): "completed",
    ("no_show", "confirmed"): "no_show",
    ("no_show", "rescheduled"): "no_show",
    ("feedback", "completed"): "completed",
}
EVENT_ACTION = {"pay": "paid", "confirm": "confirmed", "reject": "rejected", "reschedule": "rescheduled",
                "cancel": "cancelled", "complete": "completed", "no_show": "no_show", "feedback": "feedback"}


def _do(action, booking, *, admin, now):
    """Take `action` as someone allowed to (staff; the customer for feedback)."""
    if action == "pay":
        return lifecycle.mark_paid(booking, actor=None, now=now, method="stripe")
    if action == "confirm":
        return lifecycle.confirm(booking, actor=admin, now=now, reason="Looks good")
    if action == "reject":
        return lifecycle.reject(booking, actor=admin, now=now, reason="Not a fit")
    if action == "reschedule":
        new_start = local_time(booking.coach, on=(now + timedelta(days=2)).date(), at="12:00")
        return lifecycle.reschedule(booking, starts_at=new_start, actor=admin, now=now, reason="Coach asked")
    if action == "cancel":
        return lifecycle.cancel(booking, actor=admin, now=now, reason="Coach unwell", by="staff")
    if action == "complete":
        return lifecycle.complete(booking, actor=admin, now=now)
    if action == "no_show":
        return lifecycle.mark_no_show(booking, actor=admin, now=now)
    return lifecycle.leave_feedback(booking, rating=5, comment="Great", actor=booking.customer, now=now)


def _outcome(action, status, *, make_booking, admin, recorded_events) -> str | None:
    """Take `action` on a fresh booking in `status`; what went wrong, or None."""
    booking = make_booking(status)
    now = booking.starts_at + timedelta(hours=2)  # after the session: complete/no_show are allowed
    events_before = db.session.scalar(db.select(db.func.count(BookingEvent.id)))
    recorded_events.clear()
    if (action, status) in LEGAL:
        _do(action, booking, admin=admin, now=now)
        db.session.commit()
        event = booking.events[-1]
        moved = (event.from_status, event.to_status) == (status, LEGAL[action, status]) or action == "feedback"
        if booking.status != LEGAL[action, status] or not moved:
            return f"ended {booking.status}, event {event.from_status}->{event.to_status}"
        if [e.action for e in recorded_events] != [EVENT_ACTION[action]] or event.created_at != now:
            return f"events {[e.action for e in recorded_events]} at {event.created_at}"
        return None
    try:
        _do(action, booking, admin=admin, now=now)
    except Conflict as refused:
        db.session.rollback()
        db.session.refresh(booking)
        events_after = db.session.scalar(db.select(db.func.count(BookingEvent.id)))
        if refused.status != 409 or not refused.message or booking.status != status:
            return f"refused badly: {refused.status} {refused.message!r}, now {booking.status}"
        if recorded_events or events_after != events_before:
            return "a refused action wrote an event"
        return None
    db.session.rollback()
    return "was allowed"


@pytest.mark.parametrize("status", STATUSES)
def test_every_action_from_every_status(make_booking, admin, recorded_events, status):
    """One booking per action; legal moves land in the table's status, the others are 409s that change nothing."""
    wrong = {action: _outcome(action, status, make_booking=make_booking, admin=admin, recorded_events=recorded_events)
             for action in ACTIONS}
    assert {action: problem for action, problem in wrong.items() if problem} == {}


def test_completing_a_cancelled_booking_says_why(make_booking, admin):
    booking = make_booking("cancelled")
    with pytest.raises(Conflict) as refused:
        lifecycle.complete(booking, actor=admin, now=booking.starts_at + timedelta(hours=2))
    assert refused.value.code == "invalid_transition"
    assert refused.value.message == "This booking is cancelled; it cannot be marked completed"


def test_a_refusal_names_the_status_as_pages_do_in_the_readers_language(make_booking, admin):
    from flask_babel import force_locale

    from bookingadmin.core.display import status_label

    booking = make_booking("no_show")
    with force_locale("ar"), pytest.raises(Conflict) as refused:
        lifecycle.cancel(booking, actor=admin, now=booking.starts_at + timedelta(hours=2), reason="x", by="staff")
    with force_locale("ar"):
        missed = status_label("no_show")
    assert refused.value.message == f"هذا الحجز {missed}؛ لا يمكن إلغاؤه" and missed == "لم يحضر"
    with pytest.raises(Conflict) as refused:
        lifecycle.complete(booking, actor=admin, now=booking.starts_at + timedelta(hours=2))
    assert refused.value.message == "This booking is missed; it cannot be marked completed"


def test_events_record_actor_statuses_reason_and_time(make_booking, admin):
    booking = make_booking("pending_confirmation")
    now = booking.starts_at - timedelta(days=1)
    lifecycle.reject(booking, actor=admin, now=now, reason="Outside our expertise")
    db.session.commit()

    created, paid, rejected = booking.events
    assert (created.action, created.from_status, created.to_status) == ("created", None, "pending_payment")
    assert created.actor_id == booking.customer_id and created.actor_role == "customer"
    assert (paid.action, paid.to_status, paid.actor_id, paid.actor_role) == ("paid", "pending_confirmation", None,
                                                                              "system")
    assert paid.data["method"] == "cash"
    assert (rejected.action, rejected.from_status, rejected.to_status) == ("rejected", "pending_confirmation",
                                                                           "cancelled")
    assert (rejected.actor_id, rejected.actor_role) == (admin.id, "admin")
    assert rejected.reason == "Outside our expertise" and rejected.created_at == now
    assert rejected.data == {"refund_amount": "300.00", "refund_percent": 100, "cancelled_by": "staff"}
    assert booking.cancelled_by == "staff" and booking.cancellation_reason == "Outside our expertise"


def test_complete_and_no_show_only_after_the_start(make_booking, admin):
    booking = make_booking("confirmed")
    for mark in (lifecycle.complete, lifecycle.mark_no_show):
        with pytest.raises(Conflict) as refused:
            mark(booking, actor=admin, now=booking.starts_at - timedelta(minutes=1))
        assert refused.value.code == "too_early"
    lifecycle.mark_no_show(booking, actor=admin, now=booking.starts_at)
    assert booking.status == "no_show" and booking.no_show_at == booking.starts_at


def test_reject_and_cancel_need_a_reason(make_booking, admin):
    from bookingadmin.core.errors import DomainError

    booking = make_booking("pending_confirmation")
    with pytest.raises(DomainError) as refused:
        lifecycle.reject(booking, actor=admin, now=booking.starts_at - timedelta(days=1), reason="  ")
    assert "reason" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        lifecycle.cancel(booking, actor=admin, now=booking.starts_at - timedelta(days=1), reason="", by="staff")
    assert "reason" in refused.value.fields
    assert booking.status == "pending_confirmation"


def test_mark_paid_skips_approval_only_when_not_required(make_booking):
    plain = make_booking("pending_payment")
    lifecycle.mark_paid(plain, actor=None, now=plain.created_at + timedelta(minutes=3), method="stripe")
    assert plain.status == "confirmed" and plain.confirmed_at and plain.paid_at and plain.hold_expires_at is None
    cat_approval = plain.coach.consultation_types
    approval = next(t for t in cat_approval if t.requires_approval)
    waiting = make_booking("pending_payment", ctype=approval)
    lifecycle.mark_paid(waiting, actor=None, now=waiting.created_at + timedelta(minutes=3), method="cash")
    assert waiting.status == "pending_confirmation" and waiting.confirmed_at is None


def test_mark_paid_refuses_an_unknown_method(make_booking):
    from bookingadmin.core.errors import DomainError

    booking = make_booking("pending_payment")
    with pytest.raises(DomainError) as refused:
        lifecycle.mark_paid(booking, actor=None, now=booking.created_at, method="bitcoin")
    assert "method" in refused.value.fields and booking.status == "pending_payment"
