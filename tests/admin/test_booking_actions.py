"""Every button on the booking page, through HTTP: the booking changes as the lifecycle says, with its event.

A refused action (wrong state, too early, bad input) shows a message and changes nothing.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from bookingadmin.bookings.models import Booking, BookingEvent
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db
from tests.factories import local_time


def reload(booking: Booking) -> Booking:
    db.session.expire_all()
    return db.session.get(Booking, booking.id)


def events(booking: Booking) -> list[BookingEvent]:
    return list(db.session.scalars(db.select(BookingEvent).where(BookingEvent.booking_id == booking.id)
                                   .order_by(BookingEvent.id)))


def details(client, booking: Booking) -> str:
    response = client.get(f"/admin/bookings/details/?id={booking.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def buttons(page: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', page.split('id="booking-actions"')[1].split("</div>")[0]))


def test_confirm_moves_a_pending_booking_and_records_who(office, make_booking, login, client, post):
    booking = make_booking("pending_confirmation")
    login(office.admin)
    assert buttons(details(client, booking)) == {"confirm", "reject", "reschedule", "cancel", "change_coach"}
    response = post(f"/admin/bookings/confirm/?id={booking.id}", {"reason": "Looks good"}, follow_redirects=True)
    assert "is confirmed" in response.get_data(as_text=True)
    booking = reload(booking)
    assert booking.status == "confirmed" and booking.confirmed_at is not None
    last = events(booking)[-1]
    assert (last.action, last.from_status, last.to_status, last.actor_id, last.reason) == (
        "confirmed", "pending_confirmation", "confirmed", office.admin.id, "Looks good")


def test_confirming_a_cancelled_booking_is_refused_and_changes_nothing(office, make_booking, login, client, post):
    booking = make_booking("cancelled")
    before = len(events(booking))
    login(office.admin)
    assert buttons(details(client, booking)) == set()
    page = post(f"/admin/bookings/confirm/?id={booking.id}", follow_redirects=True).get_data(as_text=True)
    assert "cannot be confirmed" in page
    assert reload(booking).status == "cancelled" and len(events(booking)) == before


def test_complete_before_the_start_is_refused(office, make_booking, login, client, post):
    booking = make_booking("confirmed")  # three days ahead
    login(office.cat.coach_user)
    assert "complete" not in buttons(details(client, booking))
    page = post(f"/admin/bookings/complete/?id={booking.id}", follow_redirects=True).get_data(as_text=True)
    assert "only after it has started" in page
    assert reload(booking).status == "confirmed"


@pytest.mark.parametrize("action,status,event", [("complete", "completed", "completed"),
                                                 ("no_show", "no_show", "no_show")])
def test_complete_and_no_show_after_the_start(office, make_booking, login, client, post, action, status, event):
    booking = make_booking("confirmed", starts_at=local_time(office.coach, days=-1, at="10:00"))
    login(office.cat.coach_user)  # the booking's own coach
    assert action in buttons(details(client, booking))
    post(f"/admin/bookings/{action}/?id={booking.id}")
    booking = reload(booking)
    assert booking.status == status
    assert (events(booking)[-1].action, events(booking)[-1].actor_id) == (event, office.cat.coach_user.id)


def test_reject_needs_a_reason(office, make_booking, login, client, post):
    booking = make_booking("pending_confirmation")
    login(office.support)
    path = f"/admin/bookings/reject/?id={booking.id}"
    response = post(path, {"reason": "  "}, token_from=path)
    assert response.status_code == 200 and "Give a reason" in response.get_data(as_text=True)
    assert reload(booking).status == "pending_confirmation"
    post(path, {"reason": "Coach unavailable"}, token_from=path)
    booking = reload(booking)
    assert (booking.status, booking.cancelled_by, booking.cancellation_reason) == ("cancelled", "staff",
                                                                                 "Coach unavailable")
    assert events(booking)[-1].action == "rejected"


def test_cancel_shows_the_refund_and_needs_a_reason(office, make_booking, login, client, post):
    now = utcnow()
    # Paid 90.00, starting between 24 and 48 hours from now: the policy gives 50% to a customer.
    start = next(t for t in (local_time(office.coach, days=d, at=f"{h:02d}:00") for d in (1, 2) for h in range(8, 19))
                 if timedelta(hours=26) < t - now < timedelta(hours=46))
    booking = make_booking("confirmed", starts_at=start)
    login(office.support)
    path = f"/admin/bookings/cancel/?id={booking.id}"
    page = client.get(path).get_data(as_text=True)
    assert re.search(r'data-by="customer">.*?45\.00 USD.*?\(50%', page, re.S)
    assert re.search(r'data-by="staff">.*?90\.00 USD.*?\(100%', page, re.S)
    response = post(path, {"reason": "", "requested_by": "customer"}, token_from=path)
    assert "Give a reason" in response.get_data(as_text=True) and reload(booking).status == "confirmed"
    done = post(path, {"reason": "Customer called", "requested_by": "customer"}, token_from=path,
                follow_redirects=True).get_data(as_text=True)
    assert "Refund due: 45.00 USD (50%)" in done
    booking = reload(booking)
    assert (booking.status, booking.cancelled_by) == ("cancelled", "customer")
    last = events(booking)[-1]
    assert last.action == "cancelled" and last.data["refund_amount"] == "45.00" and last.actor_id == office.support.id


def test_cancel_and_reject_give_the_money_back(office, make_booking, login, post):
    """Cancelled by us: all that was paid comes back; a rejected request too (refund rows, not only words)."""
    from bookingadmin.payments.models import Refund
    from bookingadmin.payments.services import record_manual_payment

    def paid(**kwargs):
        booking = make_booking("pending_payment", **kwargs)
        record_manual_payment(booking, amount=booking.amount, method="cash", actor=None, now=utcnow())
        db.session.commit()
        return booking

    def refunded(booking):
        rows = db.session.scalars(db.select(Refund).where(Refund.booking_id == booking.id).order_by(Refund.id))
        return [(r.amount, r.source) for r in rows]

    login(office.support)
    booking = paid()
    path = f"/admin/bookings/cancel/?id={booking.id}"
    done = post(path, {"reason": "Coach ill", "requested_by": "staff"}, token_from=path, follow_redirects=True)
    assert "Refund due: 90.00 USD (100%)" in done.get_data(as_text=True)
    assert refunded(booking) == [(booking.amount, "cancellation")] and reload(booking).payment_status == "refunded"
    waiting = paid(ctype=make_booking("pending_confirmation").consultation_type)
    path = f"/admin/bookings/reject/?id={waiting.id}"
    post(path, {"reason": "Outside our expertise"}, token_from=path)
    assert reload(waiting).status == "cancelled" and refunded(waiting) == [(waiting.amount, "rejection")]


def test_reschedule_offers_the_coachs_bookable_times(office, make_booking, login, client, post):
    booking = make_booking("confirmed")
    old_start = booking.starts_at
    login(office.admin)
    path = f"/admin/bookings/reschedule/?id={booking.id}"
    page = client.get(path).get_data(as_text=True)
    choices = re.findall(r'name="starts_at" value="([^"]+)"', page)
    assert choices and not any(c.startswith(old_start.isoformat()) for c in choices)
    response = post(path, {"starts_at": "2001-01-01T00:00:00+00:00|"}, token_from=path)
    assert "no longer offered" in response.get_data(as_text=True) and reload(booking).starts_at == old_start
    post(path, {"starts_at": choices[5], "reason": "Coach asked"}, token_from=path)
    booking = reload(booking)
    assert booking.starts_at == datetime.fromisoformat(choices[5].split("|")[0])
    assert booking.status == "rescheduled" and booking.rescheduled_from_starts_at == old_start
    last = events(booking)[-1]
    assert last.action == "rescheduled" and last.data["from_starts_at"] == old_start.isoformat()


def test_change_coach(office, make_booking, login, client, post):
    booking = make_booking("confirmed")
    login(office.admin)
    path = f"/admin/bookings/change_coach/?id={booking.id}"
    assert office.other_coach.display_name_en in client.get(path).get_data(as_text=True)
    post(path, {"coach_id": str(office.other_coach.id)}, token_from=path)
    booking = reload(booking)
    assert booking.coach_id == office.other_coach.id
    assert events(booking)[-1].action == "coach_changed"


def test_meeting_details_with_a_bad_link_re_render_with_the_error(office, make_booking, login, client, post):
    booking = make_booking("confirmed")
    login(office.cat.coach_user)
    path = f"/admin/bookings/meeting/?id={booking.id}"
    token = f"/admin/bookings/details/?id={booking.id}"
    bad = post(path, {"meeting_type": "online", "meeting_link": "zoom me"}, token_from=token)
    assert bad.status_code == 200 and "Enter a full link" in bad.get_data(as_text=True)
    assert reload(booking).meeting_link is None
    post(path, {"meeting_type": "online", "meeting_link": "https://meet.example.com/abc",
                "meeting_password": "1234"}, token_from=token)
    booking = reload(booking)
    assert (booking.meeting_link, booking.meeting_password) == ("https://meet.example.com/abc", "1234")
    assert events(booking)[-1].action == "meeting_updated"


def test_notes_and_follow_up(office, make_booking, login, client, post):
    booking = make_booking("completed", starts_at=local_time(office.coach, days=-2, at="11:00"))
    login(office.support)
    token = f"/admin/bookings/details/?id={booking.id}"
    bad = post(f"/admin/bookings/notes/?id={booking.id}", {"follow_up_date": "31/02/2026"}, token_from=token)
    assert bad.status_code == 200 and "Not a valid date value" in bad.get_data(as_text=True)
    post(f"/admin/bookings/notes/?id={booking.id}", {"admin_notes": "Call back", "follow_up_required": "y",
                                                     "follow_up_notes": "Offer a plan", "follow_up_date": "2031-05-01"},
         token_from=token)
    booking = reload(booking)
    assert (booking.admin_notes, booking.follow_up_required, str(booking.follow_up_date)) == (
        "Call back", True, "2031-05-01")
    assert events(booking)[-1].action == "notes_updated"


def test_bulk_confirm_asks_first_then_confirms_only_what_is_allowed(office, make_booking, login, client, post):
    first, second = make_booking("pending_confirmation"), make_booking("pending_confirmation")
    done = make_booking("confirmed")
    login(office.admin)
    review = post("/admin/bookings/action/", {"action": "confirm", "rowid": [first.id, second.id, done.id]},
                  token_from="/admin/bookings/")
    page = review.get_data(as_text=True)
    assert review.status_code == 200 and "Confirm 2 booking(s)" in page and "not allowed now" in page
    assert reload(first).status == "pending_confirmation"  # nothing happens before the second step
    ids = re.findall(r'name="ids" value="(\d+)"', page)
    response = post("/admin/bookings/bulk/confirm/", {"ids": ids}, token_from="/admin/bookings/",
                    follow_redirects=True)
    assert "Confirmed 2 booking(s)" in response.get_data(as_text=True)
    assert reload(first).status == reload(second).status == "confirmed"
    assert events(reload(first))[-1].actor_id == office.admin.id


def test_quick_confirm_button_in_the_list(office, make_booking, login, client, post):
    pending = make_booking("pending_confirmation")
    make_booking("confirmed")
    login(office.admin)
    page = client.get("/admin/bookings/").get_data(as_text=True)
    assert re.findall(r'data-action="confirm" data-number="([^"]+)"', page) == [pending.number]
    login(office.support)
    assert 'data-action="confirm"' in client.get("/admin/bookings/").get_data(as_text=True)


def test_intake_is_shown_only_to_those_allowed(office, make_booking, login, client):
    booking = make_booking("confirmed", intake={"injuries": "Left knee surgery 2024"})
    login(office.admin)
    assert "Left knee surgery 2024" in details(client, booking)
    login(office.cat.coach_user)
    assert "Left knee surgery 2024" in details(client, booking)
    login(office.support)  # no intake.view
    page = details(client, booking)
    assert "Left knee surgery 2024" not in page and "Intake details are private" in page


def test_timeline_and_panels(office, make_booking, login, client):
    from bookingadmin.payments.services import record_manual_payment

    booking = make_booking("pending_payment")
    payment = record_manual_payment(booking, amount=booking.amount, method="cash", actor=office.admin, now=utcnow())
    db.session.commit()
    login(office.admin)
    page = details(client, booking)
    assert re.findall(r'<tr data-action="([a-z_]+)">', page) == [e.action for e in events(booking)]
    money = page.split('id="payments-panel"', 1)[1].split("</table>", 1)[0]
    assert f'data-payment="{payment.id}"' in money  # the booking's own payment row, not a placeholder
    assert 'id="notifications-panel"' not in page  # the placeholder of a missing notifications module
    log = page.split('id="notifications"', 1)[1].split("</section>", 1)[0]
    assert booking.customer_email in log  # the emails sent about this booking, with their recipient
