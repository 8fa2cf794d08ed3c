"""Changes that are not status moves: another coach, meeting details, staff notes. Each writes an event."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from bookingadmin.bookings.services import can_change_coach, change_coach, set_meeting_details, update_staff_notes
from bookingadmin.core.errors import Conflict, DomainError, PermissionDenied
from bookingadmin.extensions import db


def test_change_coach_to_one_who_offers_the_type_and_is_free(make_booking, make_coach, factories, support,
                                                             recorded_events):
    cat = factories.default_catalog
    booking = make_booking("confirmed")
    now = booking.starts_at - timedelta(days=1)
    new_coach = make_coach(types=[cat.paid])
    change_coach(booking, coach_id=new_coach.id, actor=support, now=now, reason="Sara is away")
    db.session.commit()
    assert booking.coach_id == new_coach.id and booking.status == "confirmed"
    event = booking.events[-1]
    assert (event.action, event.reason, event.actor_id) == ("coach_changed", "Sara is away", support.id)
    assert event.data == {"from_coach_id": cat.coach.id, "to_coach_id": new_coach.id}
    assert recorded_events[-1] is event


def test_change_coach_refuses_a_busy_or_unqualified_coach(make_booking, make_coach, factories, support):
    cat = factories.default_catalog
    booking = make_booking("confirmed")
    now = booking.starts_at - timedelta(days=1)
    unqualified = make_coach(types=[cat.free])
    with pytest.raises(DomainError) as refused:
        change_coach(booking, coach_id=unqualified.id, actor=support, now=now)
    assert "coach_id" in refused.value.fields
    busy = make_coach(types=[cat.paid])
    make_booking("confirmed", coach=busy, starts_at=booking.starts_at)
    with pytest.raises(Conflict) as refused:
        change_coach(booking, coach_id=busy.id, actor=support, now=now)
    assert refused.value.code == "slot_taken"
    with pytest.raises(PermissionDenied):
        change_coach(booking, coach_id=unqualified.id, actor=booking.customer, now=now)
    db.session.rollback()
    db.session.refresh(booking)
    assert booking.coach_id == cat.coach.id


def test_meeting_details(make_booking, factories):
    cat = factories.default_catalog
    booking = make_booking("confirmed")
    now = booking.starts_at - timedelta(days=1)
    set_meeting_details(booking, actor=cat.coach_user, now=now, meeting_link="https://meet.example.com/abc",
                        meeting_password="1234")
    assert booking.meeting_link == "https://meet.example.com/abc" and booking.meeting_password == "1234"
    assert booking.events[-1].action == "meeting_updated"
    assert booking.events[-1].data == {"changed": ["meeting_link", "meeting_password"]}
    with pytest.raises(DomainError) as refused:
        set_meeting_details(booking, actor=cat.coach_user, now=now, meeting_link="javascript:alert(1)")
    assert "meeting_link" in refused.value.fields
    events = len(booking.events)
    set_meeting_details(booking, actor=cat.coach_user, now=now, meeting_password="1234")
    assert len(booking.events) == events  # nothing changed, nothing recorded
    free_online = make_booking("confirmed", ctype=cat.free)
    with pytest.raises(DomainError):
        set_meeting_details(free_online, actor=cat.coach_user, now=now, meeting_type="in_person")


def test_meeting_details_only_on_open_bookings(make_booking, admin):
    booking = make_booking("cancelled")
    with pytest.raises(Conflict):
        set_meeting_details(booking, actor=admin, now=booking.starts_at, meeting_link="https://x.example.com")


def test_staff_notes_and_follow_up(make_booking, admin, make_person):
    booking = make_booking("completed")
    now = booking.ends_at + timedelta(hours=1)
    update_staff_notes(booking, actor=admin, now=now, admin_notes="Knee pain; refer to physio",
                       follow_up_required=True, follow_up_date=date(2031, 1, 5))
    db.session.commit()
    assert (booking.admin_notes, booking.follow_up_required, booking.follow_up_date) == (
        "Knee pain; refer to physio", True, date(2031, 1, 5))
    event = booking.events[-1]
    assert event.action == "notes_updated"
    assert event.data == {"changed": ["admin_notes", "follow_up_date", "follow_up_required"]}
    assert "Knee" not in str(event.data)  # the notes themselves stay out of the audit data
    with pytest.raises(PermissionDenied):
        update_staff_notes(booking, actor=booking.customer, now=now, admin_notes="hi")
    with pytest.raises(DomainError) as refused:
        update_staff_notes(booking, actor=admin, now=now, follow_up_required="yes")
    assert "follow_up_required" in refused.value.fields


def test_who_may_change_the_coach(make_booking, make_coach, factories, support):
    cat = factories.default_catalog
    open_booking, done = make_booking("confirmed"), make_booking("cancelled")
    other_coach = make_coach(types=[cat.paid])
    assert can_change_coach(open_booking, support) and can_change_coach(open_booking, cat.coach_user)
    assert not can_change_coach(open_booking, other_coach.user)  # not their booking
    assert not can_change_coach(open_booking, cat.customer)
    assert not can_change_coach(done, support)  # only open bookings move
