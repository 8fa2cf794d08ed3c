"""Calendar week view, customers (profile, bookings, spent per currency) and the audit log."""
from __future__ import annotations

import re

from tests.factories import local_time


def test_week_view_of_one_coach_shows_bookings_and_free_hours(office, make_booking, login, client):
    booking = make_booking("confirmed", starts_at=local_time(office.coach, days=2, at="11:00"))
    login(office.cat.coach_user)  # Asia/Riyadh, like the coach
    week = booking.starts_at.date().isoformat()
    page = client.get(f"/admin/calendar/?week={week}").get_data(as_text=True)
    assert f'data-number="{booking.number}"' in page
    day = re.search(rf'data-day="([0-9-]+)">(?:(?!data-day=).)*?{booking.number}', page, re.S).group(1)
    column = page.split(f'data-day="{day}"')[1].split('class="cal-day')[0]
    # works 08:00-20:00; the 60-minute booking at 11:00 splits the free time in two
    assert "free 08:00–11:00" in column and "free 12:00–20:00" in column


def test_all_coaches_side_by_side_for_admins(office, make_booking, login, client):
    a = make_booking("confirmed", starts_at=local_time(office.coach, days=2, at="11:00"))
    b = make_booking("confirmed", coach=office.other_coach, starts_at=local_time(office.other_coach, days=2, at="12:00"))
    login(office.admin)
    page = client.get(f"/admin/calendar/?week={a.starts_at.date().isoformat()}").get_data(as_text=True)
    assert 'id="calendar-overview"' in page and a.number in page and b.number in page
    assert f'data-coach="{office.other_coach.id}"' in page


def test_customer_profile_with_bookings_and_spent_per_currency(office, make_booking, login, client):
    paid = make_booking("completed", starts_at=local_time(office.coach, days=-5, at="10:00"))
    other = make_booking("confirmed")
    cancelled = make_booking("cancelled", cancelled_by="staff")  # paid in cash, all given back
    login(office.support)
    listing = client.get("/admin/customers/").get_data(as_text=True)
    assert office.customer.email in listing and "2 (1 completed)" in listing and "180.00 USD" in listing
    assert office.admin.email not in listing  # customers only
    page = client.get(f"/admin/customers/details/?id={office.customer.id}").get_data(as_text=True)
    assert re.search(r'id="consultations">2 consultation', page)
    assert 'data-currency="USD">180.00 USD' in page
    for booking in (paid, other, cancelled):
        assert booking.number in page
    assert client.get(f"/admin/customers/details/?id={office.admin.id}").status_code == 404


def test_audit_log_lists_events_filtered_by_actor_action_and_date(office, make_booking, login, client, post):
    booking = make_booking("pending_confirmation")
    login(office.admin)
    post(f"/admin/bookings/confirm/?id={booking.id}")
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert booking.number in page and "When (Asia/Riyadh)" in page
    mine = client.get(f"/admin/audit/?flt0_actor_equals={office.admin.id}").get_data(as_text=True)
    assert mine.count('<td class="col-action">') == 1 and "confirmed" in mine
    assert client.get("/admin/audit/?flt0_action_equals=created").get_data(as_text=True).count(
        '<td class="col-action">') == 1
    system = client.get("/admin/audit/?flt0_by_the_system_is=1").get_data(as_text=True)
    assert system.count('<td class="col-action">') == 1  # paid (by the factory, without an actor)
    today = booking.created_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Riyadh")).date()
    assert client.get("/admin/audit/?flt0_date_between=2001-01-01+to+2001-01-02").get_data(
        as_text=True).count('<td class="col-action">') == 0
    assert client.get(f"/admin/audit/?flt0_date_between={today}+to+{today}").get_data(
        as_text=True).count('<td class="col-action">') >= 1
    by_number = client.get(f"/admin/audit/?flt0_booking_number_equals={booking.number.lower()}").get_data(as_text=True)
    assert by_number.count('<td class="col-action">') == 3
