"""Every back-office page × every role: allowed (200) or refused (403; anonymous to the login page)."""
from __future__ import annotations

import html
import re

import pytest

from bookingadmin.bookings.models import Booking
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db

PAGES = {  # page -> roles that may open it
    "/admin/": {"admin", "support", "coach"},
    "/admin/bookings/": {"admin", "support", "coach"},
    "/admin/bookings/details/?id={own}": {"admin", "support", "coach"},
    "/admin/bookings/export/csv/": {"admin", "support", "coach"},
    "/admin/calendar/": {"admin", "support", "coach"},
    "/admin/availability/": {"admin", "coach"},
    "/admin/customers/": {"admin", "support"},
    "/admin/customers/details/?id={customer}": {"admin", "support"},
    "/admin/audit/": {"admin", "support"},
    "/admin/analytics/": {"admin"},
    "/admin/analytics/csv/bookings_by_status": {"admin"},
    "/admin/consultation_types/": {"admin"},
    "/admin/coaches/": {"admin"},
    "/admin/users/": {"admin"},
}


def _user(office, role):
    return {"admin": office.admin, "support": office.support, "coach": office.cat.coach_user,
            "customer": office.customer}[role]


@pytest.mark.parametrize("role", ["admin", "support", "coach", "customer"])
def test_each_page_is_open_only_to_its_roles(office, make_booking, login, client, role):
    booking = make_booking("confirmed")
    login(_user(office, role))
    for page, roles in PAGES.items():
        url = page.format(own=booking.id, customer=office.customer.id)
        status = client.get(url).status_code
        assert status == (200 if role in roles else 403), f"{role} on {url}: {status}"


def test_anonymous_visitors_are_sent_to_the_login_page(office, client):
    for page in PAGES:
        response = client.get(page.format(own=1, customer=1))
        assert response.status_code == 302 and "/login" in response.headers["Location"], page


def test_a_coach_cannot_open_or_act_on_another_coachs_booking(office, make_booking, login, client, post):
    theirs = make_booking("pending_confirmation", coach=office.other_coach)
    login(office.cat.coach_user)
    assert client.get(f"/admin/bookings/details/?id={theirs.id}").status_code == 404
    for action in ("confirm", "complete", "no_show", "reject", "cancel", "reschedule", "change_coach", "meeting",
                   "notes"):
        response = post(f"/admin/bookings/{action}/?id={theirs.id}", {"reason": "forged"})
        assert response.status_code == 404, action
    db.session.expire_all()
    assert db.session.get(Booking, theirs.id).status == "pending_confirmation"
    listed = client.get("/admin/bookings/").get_data(as_text=True)
    assert theirs.number not in listed


def test_a_coach_sees_only_their_own_bookings_in_list_calendar_and_dashboard(office, make_booking, login, client):
    mine = make_booking("confirmed")
    theirs = make_booking("confirmed", coach=office.other_coach)
    login(office.cat.coach_user)
    for page in ("/admin/bookings/", "/admin/bookings/export/csv/", f"/admin/calendar/?week={mine.starts_at.date()}"):
        text = client.get(page).get_data(as_text=True)
        assert mine.number in text and theirs.number not in text, page
    assert client.get(f"/admin/calendar/?coach={office.other_coach.id}").status_code == 404
    assert client.get(f"/admin/availability/?coach={office.other_coach.id}").status_code == 404


LINK = re.compile(r'href="(/admin/[^"#]*)"')


@pytest.mark.parametrize("role", ["admin", "support", "coach"])
def test_the_back_office_shows_a_role_only_links_it_may_open(office, make_booking, login, client, role):
    """Every link on the pages a role works from opens for that role: no button leads to a 403."""
    from bookingadmin.payments.services import record_manual_payment

    booking = make_booking("pending_payment")
    record_manual_payment(booking, amount=booking.amount, method="cash", actor=office.admin, now=utcnow())
    db.session.commit()
    login(_user(office, role))
    pages = ("/admin/", "/admin/bookings/", f"/admin/bookings/details/?id={booking.id}",
             f"/admin/calendar/?week={booking.starts_at.date()}")
    links = {html.unescape(href) for page in pages for href in LINK.findall(client.get(page).get_data(as_text=True))}
    assert f"/admin/bookings/details/?id={booking.id}" in links
    refused = {link: client.get(link).status_code for link in links}
    assert {link: status for link, status in refused.items() if status == 403} == {}
    money_link = f"/admin/booking-money/{booking.number}/"
    assert (money_link in links) == (role != "coach")  # coaches may not refund or record payments
