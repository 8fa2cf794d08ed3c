"""Object-level access: who sees which booking, and which buttons each person gets."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from bookingadmin.bookings import lifecycle
from bookingadmin.bookings.services import bookings_visible_to, can_read_intake, can_view, get_booking_for
from bookingadmin.core.errors import NotFound, PermissionDenied
from bookingadmin.extensions import db


@pytest.fixture
def world(make_booking, make_coach, make_person, factories):
    """Two coaches, two customers, a booking each way round."""
    cat = factories.default_catalog
    other_coach = make_coach(types=[cat.paid])
    other_customer = make_person()
    mine = make_booking("confirmed")
    theirs = make_booking("confirmed", coach=other_coach, customer=other_customer)
    return dict(cat=cat, other_coach=other_coach, other_customer=other_customer, mine=mine, theirs=theirs)


def _numbers(user):
    return {b.number for b in db.session.scalars(bookings_visible_to(user))}


def test_who_sees_which_bookings(world, admin, support):
    mine, theirs, cat = world["mine"], world["theirs"], world["cat"]
    both = {mine.number, theirs.number}
    assert _numbers(admin) == both and _numbers(support) == both
    assert _numbers(cat.coach_user) == {mine.number}
    assert _numbers(world["other_coach"].user) == {theirs.number}
    assert _numbers(cat.customer) == {mine.number}
    assert _numbers(world["other_customer"]) == {theirs.number}
    assert _numbers(None) == set() and _numbers(AnonymousUserMixin()) == set()


def test_get_booking_for_hides_other_peoples_bookings(world):
    mine, theirs, cat = world["mine"], world["theirs"], world["cat"]
    assert get_booking_for(cat.customer, mine.number) is mine
    assert get_booking_for(cat.customer, mine.number.lower()) is mine
    for number in (theirs.number, "CB-20990101-ZZZZ", "", None):
        with pytest.raises(NotFound) as refused:
            get_booking_for(cat.customer, number)
        assert refused.value.message == "There is no such booking"
    with pytest.raises(NotFound):
        get_booking_for(cat.coach_user, theirs.number)


def test_intake_is_for_the_customer_and_the_coach(world, admin, support):
    mine, cat = world["mine"], world["cat"]
    assert can_read_intake(cat.customer, mine) and can_read_intake(cat.coach_user, mine)
    assert can_read_intake(admin, mine)
    assert not can_read_intake(support, mine)  # support has no intake.view
    assert not can_read_intake(world["other_coach"].user, mine)
    assert not can_read_intake(world["other_customer"], mine)
    assert can_view(support, mine) and not can_view(world["other_customer"], mine)


def test_buttons_per_person_and_state(world, admin, support):
    mine, cat = world["mine"], world["cat"]
    before = mine.starts_at - timedelta(days=2)
    after = mine.ends_at + timedelta(minutes=5)
    assert lifecycle.allowed_actions(mine, cat.customer, before) == {"reschedule", "cancel"}
    assert lifecycle.allowed_actions(mine, cat.customer, mine.starts_at - timedelta(hours=2)) == {"cancel"}
    assert lifecycle.allowed_actions(mine, cat.customer, after) == set()
    assert lifecycle.allowed_actions(mine, cat.coach_user, before) == {"reschedule", "cancel"}
    assert lifecycle.allowed_actions(mine, cat.coach_user, after) == {"reschedule", "cancel", "complete", "no_show"}
    assert lifecycle.allowed_actions(mine, support, after) == {"reschedule", "cancel", "complete", "no_show"}
    assert lifecycle.allowed_actions(mine, world["other_coach"].user, after) == set()
    assert lifecycle.allowed_actions(mine, world["other_customer"], before) == set()
    assert lifecycle.allowed_actions(mine, AnonymousUserMixin(), before) == set()

    lifecycle.complete(mine, actor=cat.coach_user, now=after)
    assert lifecycle.allowed_actions(mine, cat.customer, after) == {"feedback"}
    assert lifecycle.allowed_actions(mine, admin, after) == set()


def test_buttons_of_a_booking_waiting_for_approval(make_booking, factories, support):
    booking = make_booking("pending_confirmation")
    now = booking.starts_at - timedelta(days=2)
    assert lifecycle.allowed_actions(booking, support, now) == {"confirm", "reject", "reschedule", "cancel"}
    assert lifecycle.allowed_actions(booking, booking.customer, now) == {"reschedule", "cancel"}


def test_services_ask_the_same_guard(world):
    mine = world["mine"]
    with pytest.raises(PermissionDenied):
        lifecycle.cancel(mine, actor=world["other_customer"], now=mine.starts_at - timedelta(days=2),
                         reason="not mine", by="customer")
    with pytest.raises(PermissionDenied):
        lifecycle.complete(mine, actor=world["other_coach"].user, now=mine.ends_at)
    with pytest.raises(PermissionDenied):
        lifecycle.confirm(mine, actor=mine.customer, now=mine.starts_at)
    assert mine.status == "confirmed"


def test_unknown_actions_are_a_programming_error(world):
    with pytest.raises(KeyError):
        lifecycle.can("teleport", world["mine"], None, world["mine"].starts_at)
