"""A contact email typed on a booking is never mailed (issue 9, "Data"): nobody confirmed it, and
booking emails carry times, meeting links and receipts. Only the account's own address receives them."""
from __future__ import annotations

import re
from datetime import timedelta

from bookingadmin.bookings.models import Booking
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db
from tests.notifications.helpers import read_outbox

STRANGER = "someone.else@example.org"


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _book_with_contact_email(client, cat, email: str) -> str:
    """The whole wizard through the pages, typing `email` as the booking's contact address."""
    day = (utcnow() + timedelta(days=3)).astimezone().date()
    html = client.get(f"/book/{cat.free.number}?tz=Europe/London&date={day.isoformat()}&month={day:%Y-%m}") \
        .get_data(as_text=True)
    form = {"csrf_token": _csrf(html), "coach_id": re.search(r'name="coach_id" value="(\d+)"', html).group(1),
            "duration": "30", "meeting_type": "online", "slot_id": "", "tz": "Europe/London",
            "starts_at": re.search(r'name="starts_at" value="([^"]+)"', html).group(1)}
    assert client.post(f"/book/{cat.free.number}/time", data=form).status_code == 302
    html = client.get("/book/details").get_data(as_text=True)
    assert "sent to your account" in html  # the form says where booking emails go
    details = {"csrf_token": _csrf(html), "name": "Noor", "email": email, "phone": "+966501234567",
               "nonce": re.search(r'name="nonce"[^>]*value="([^"]+)"', html).group(1)}
    assert client.post("/book/details", data=details).status_code == 200
    done = client.post("/book/confirm", data=details)
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    return re.search(r"/bookings/(CB-[0-9A-Z-]+)/", done.headers["Location"]).group(1)


def test_booking_emails_go_to_the_account_not_to_a_typed_contact_address(app, client, auth, make_catalog):
    cat = make_catalog()
    auth.login(cat.customer.email)
    number = _book_with_contact_email(client, cat, STRANGER)
    booking = db.session.scalar(db.select(Booking).where(Booking.number == number))
    assert booking.customer_email == STRANGER  # kept as contact information for staff

    page = client.get(f"/my/bookings/{number}/cancel").get_data(as_text=True)
    client.post(f"/my/bookings/{number}/cancel", data={"csrf_token": _csrf(page), "reason": "Plans changed"})

    messages = read_outbox(app)
    recipients = [str(m["To"]) for m in messages]
    assert messages and not any(STRANGER in to for to in recipients), recipients
    to_customer = [m for m in messages if cat.customer.email in str(m["To"])]
    kinds = {m["X-Bookingadmin-Kind"] for m in to_customer}
    assert {"confirmed", "cancelled"} <= kinds or len(to_customer) >= 2, kinds
    assert all(number in m.get_body(preferencelist=("plain",)).get_content() for m in to_customer)
