"""Feedback: 1–5 and a comment, once, only on a completed session, by its customer; the coach's average follows."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bookingadmin.bookings import lifecycle
from bookingadmin.core.errors import Conflict, DomainError, PermissionDenied
from bookingadmin.extensions import db


def _after(booking):
    return booking.ends_at + timedelta(hours=1)


def test_feedback_is_left_once_and_updates_the_coach_rating(make_booking, recorded_events):
    first = make_booking("completed")
    second = make_booking("completed")
    lifecycle.leave_feedback(first, rating=5, comment="  Very helpful ", actor=first.customer, now=_after(first))
    db.session.commit()
    coach = first.coach
    assert (coach.rating, coach.review_count) == (Decimal("5.00"), 1)
    assert (first.feedback_rating, first.feedback_comment, first.feedback_at) == (5, "Very helpful", _after(first))
    lifecycle.leave_feedback(second, rating=2, comment="", actor=second.customer, now=_after(second))
    db.session.commit()
    db.session.refresh(coach)
    assert (coach.rating, coach.review_count) == (Decimal("3.50"), 2)
    assert [e.action for e in recorded_events][-2:] == ["feedback", "feedback"]
    assert first.events[-1].data == {"rating": 5} and first.events[-1].actor_id == first.customer_id

    with pytest.raises(Conflict) as refused:
        lifecycle.leave_feedback(first, rating=1, comment="changed my mind", actor=first.customer, now=_after(first))
    assert refused.value.code == "feedback_exists"
    db.session.rollback()
    db.session.refresh(coach)
    assert (coach.rating, coach.review_count) == (Decimal("3.50"), 2)


def test_the_average_rounds_to_two_places(make_booking):
    for rating in (5, 4, 4):
        booking = make_booking("completed")
        lifecycle.leave_feedback(booking, rating=rating, comment="", actor=booking.customer, now=_after(booking))
    db.session.commit()
    assert booking.coach.rating == Decimal("4.33")


@pytest.mark.parametrize("status", ["confirmed", "no_show", "cancelled"])
def test_only_completed_sessions_take_feedback(make_booking, status):
    booking = make_booking(status)
    with pytest.raises(Conflict) as refused:
        lifecycle.leave_feedback(booking, rating=4, comment="", actor=booking.customer, now=_after(booking))
    assert "once the session has taken place" in refused.value.message


@pytest.mark.parametrize("rating", [0, 6, "5", 4.5, True, None])
def test_rating_must_be_a_whole_number_from_1_to_5(make_booking, rating):
    booking = make_booking("completed")
    with pytest.raises(DomainError) as refused:
        lifecycle.leave_feedback(booking, rating=rating, comment="", actor=booking.customer, now=_after(booking))
    assert "rating" in refused.value.fields and booking.feedback_rating is None


def test_only_the_customer_leaves_feedback(make_booking, admin, make_person):
    booking = make_booking("completed")
    for someone in (admin, booking.coach.user, make_person()):
        with pytest.raises(PermissionDenied):
            lifecycle.leave_feedback(booking, rating=5, comment="", actor=someone, now=_after(booking))
    assert booking.feedback_rating is None


def test_a_comment_has_a_length_limit(make_booking):
    booking = make_booking("completed")
    with pytest.raises(DomainError) as refused:
        lifecycle.leave_feedback(booking, rating=3, comment="x" * 2001, actor=booking.customer, now=_after(booking))
    assert "comment" in refused.value.fields
