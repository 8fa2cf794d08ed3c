"""Bad input on the customer pages is a 400 or 404 with a message, never a 500 (both backends)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bookingadmin.auth.models import User
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db

HUGE = ("9999999999999", "99999999999999999999999")
STRONG = "Vivid-Orchard-Lantern-42"


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("number", HUGE)
def test_numbers_beyond_the_database_range_in_paths_are_404(client, make_catalog, number):
    make_catalog()
    for path in (f"/book/{number}", f"/consultations/{number}"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("number", HUGE)
def test_numbers_beyond_the_database_range_in_forms_and_query_strings_are_400(client, auth, make_catalog, number):
    cat = make_catalog()
    auth.login(cat.customer.email)
    page = client.get(f"/book/{cat.paid.number}").get_data(as_text=True)
    form = {"csrf_token": _csrf(page), "coach_id": number, "duration": "60", "meeting_type": "online",
            "starts_at": (utcnow() + timedelta(days=3)).isoformat(), "slot_id": number, "tz": "Europe/London"}
    response = client.post(f"/book/{cat.paid.number}/time", data=form)
    assert response.status_code in (302, 400), response.status_code
    assert client.get(f"/book/{cat.paid.number}?coach={number}&duration={number}").status_code == 200
    response = client.get(f"/my/bookings?page={number}")  # reaches the database as an OFFSET: the fallback
    assert response.status_code in (200, 400)


def test_a_nul_byte_in_a_search_or_form_field_is_400_with_the_field_named(client, make_catalog):
    make_catalog()
    response = client.get("/?category=vip%00")
    assert response.status_code == 400
    assert "category" in response.get_data(as_text=True) and "NUL" in response.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": _csrf(page), "email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    assert client.get("/bookings/CB-%00/pay").status_code == 400


def test_registration_refuses_nul_and_line_breaks_in_the_name(client):
    for name, status, words in (("Eve\x00", 400, "NUL"), ("Eve\r\nBcc: all@example.com", 400, "one line")):
        page = client.get("/register").get_data(as_text=True)
        response = client.post("/register", data={
            "csrf_token": _csrf(page), "name": name, "email": "eve@example.com", "phone": "+966501234567",
            "password": STRONG, "language": "en", "timezone": "Asia/Riyadh"})
        html = response.get_data(as_text=True)
        assert response.status_code == status and words in html, html[-2000:]
        assert db.session.scalar(db.select(User).where(User.email == "eve@example.com")) is None


def test_booking_details_refuse_a_name_with_line_breaks(client, auth, make_catalog):
    cat = make_catalog()
    day = (utcnow() + timedelta(days=3)).astimezone().date()
    auth.login(cat.customer.email)
    html = client.get(f"/book/{cat.paid.number}?tz=Europe/London&date={day.isoformat()}&month={day:%Y-%m}")\
        .get_data(as_text=True)
    form = {"csrf_token": _csrf(html), "coach_id": re.search(r'name="coach_id" value="(\d+)"', html).group(1),
            "duration": "60", "meeting_type": "online", "slot_id": "", "tz": "Europe/London",
            "starts_at": re.search(r'name="starts_at" value="([^"]+)"', html).group(1)}
    assert client.post(f"/book/{cat.paid.number}/time", data=form).headers["Location"].endswith("/book/details")
    html = client.get("/book/details").get_data(as_text=True)
    details = {"csrf_token": _csrf(html), "name": "Mallory\nBcc: everyone@example.com",
               "email": cat.customer.email, "phone": "+966501234567",
               "nonce": re.search(r'name="nonce"[^>]*value="([^"]+)"', html).group(1)}
    response = client.post("/book/details", data=details)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "A name must fit on one line" in page
    assert "Full name" in page


def test_the_messages_speak_arabic(client, make_catalog):
    make_catalog()
    client.get("/language/ar")
    assert "محرف NUL" in client.get("/?category=%00").get_data(as_text=True)
    page = client.get("/register").get_data(as_text=True)
    response = client.post("/register", data={
        "csrf_token": _csrf(page), "name": "Eve\nX", "email": "eve@example.com", "phone": "+966501234567",
        "password": STRONG, "language": "ar", "timezone": "Asia/Riyadh"})
    assert "يجب أن يكون الاسم في سطر واحد" in response.get_data(as_text=True)
