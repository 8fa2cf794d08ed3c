"""The customer pages through the test client: catalog, booking wizard, payment, my bookings."""
from __future__ import annotations

import re
from datetime import timedelta

from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db
from bookingadmin.payments.models import Refund


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_catalog_filters_by_category_and_speaks_arabic(app, client, make_catalog):
    cat = make_catalog()
    page = client.get("/?category=vip").get_data(as_text=True)
    assert cat.approval.title_en in page and cat.paid.title_en not in page
    client.get("/language/ar")
    page = client.get("/").get_data(as_text=True)
    assert 'dir="rtl"' in page and cat.paid.title_ar in page and "bootstrap.rtl.min.css" in page
    assert client.get("/language/xx").status_code == 404


def test_language_choice_is_remembered_on_the_account(app, client, auth, make_user):
    user = make_user(language="en")
    auth.login(user.email)
    client.get("/language/ar?next=/my/bookings")
    db.session.expire_all()
    assert db.session.get(type(user), user.id).language == "ar"


def test_type_page_lists_its_coaches(app, client, make_catalog):
    cat = make_catalog()
    page = client.get(f"/consultations/{cat.paid.number}").get_data(as_text=True)
    assert cat.coach.display_name_en in page and "/book/" in page
    assert client.get("/consultations/999999").status_code == 404


def test_guest_picks_a_time_logs_in_and_keeps_the_choice(stripe_app, client, auth, make_catalog, card):
    cat = make_catalog()
    day = (utcnow() + timedelta(days=3)).astimezone().date()
    page = client.get(f"/book/{cat.paid.number}?tz=Europe/London&date={day.isoformat()}&month={day:%Y-%m}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="time"' in html
    starts_at = re.search(r'name="starts_at" value="([^"]+)"', html).group(1)
    coach_id = re.search(r'name="coach_id" value="(\d+)"', html).group(1)
    form = {"csrf_token": _csrf(html), "coach_id": coach_id, "duration": "60", "meeting_type": "online",
            "starts_at": starts_at, "slot_id": "", "tz": "Europe/London"}
    response = client.post(f"/book/{cat.paid.number}/time", data=form)
    assert response.headers["Location"].endswith("/book/details")
    response = client.get("/book/details")
    assert "/login" in response.headers["Location"]  # a guest is asked to log in; the draft stays

    auth.login(cat.customer.email)
    html = client.get("/book/details").get_data(as_text=True)
    assert cat.customer.email in html  # prefilled from the account
    details = {"csrf_token": _csrf(html), "name": cat.customer.name, "email": cat.customer.email,
               "phone": "+966501234567", "age": "34", "gender": "female", "goals": "Run 10k",
               "nonce": re.search(r'name="nonce"[^>]*value="([^"]+)"', html).group(1)}
    review = client.post("/book/details", data=details).get_data(as_text=True)
    assert "90.00 USD" in review and "48" in review  # the price and the policy in words
    pay = client.post("/book/confirm", data=details)
    number = re.search(r"/bookings/(CB-[0-9A-Z-]+)/pay", pay.headers["Location"]).group(1)
    again = client.post("/book/confirm", data=details)  # a double click on "Pay"
    assert number in again.headers["Location"]

    html = client.get(f"/bookings/{number}/pay").get_data(as_text=True)
    assert stripe_app.config["STRIPE_JS_URL"] in html and "90.00 USD" in html
    token = _csrf(html)
    declined = client.post(f"/bookings/{number}/pay/card", json={"payment_method": card("4000000000000341")},
                           headers={"X-CSRFToken": token})
    assert declined.json["status"] == "failed"
    html = client.get(f"/bookings/{number}/pay?failed=1").get_data(as_text=True)
    assert "declined" in html
    paid = client.post(f"/bookings/{number}/pay/card", json={"payment_method": card()}, headers={"X-CSRFToken": token})
    assert paid.json["status"] == "succeeded"
    done = client.get(paid.json["return_url"], follow_redirects=True).get_data(as_text=True)
    assert number in done and 'data-testid="success"' in done
    ics = client.get(f"/bookings/{number}.ics")
    assert ics.mimetype == "text/calendar" and f"UID:{number}@bookingadmin" in ics.get_data(as_text=True)

    mine = client.get("/my/bookings").get_data(as_text=True)
    assert number in mine
    cancel_page = client.get(f"/my/bookings/{number}/cancel").get_data(as_text=True)
    assert "90.00 USD" in cancel_page  # three days ahead: everything back
    client.post(f"/my/bookings/{number}/cancel", data={"csrf_token": _csrf(cancel_page), "reason": "Sick"})
    refund = db.session.scalar(db.select(Refund))
    assert refund is not None and refund.status == "succeeded" and str(refund.amount) == "90.00"
    assert "cancelled" in client.get("/my/bookings?tab=cancelled").get_data(as_text=True).lower()


def test_other_peoples_bookings_are_not_found(stripe_app, client, auth, make_booking, make_user):
    booking = make_booking("pending_payment")
    stranger = make_user()
    auth.login(stranger.email)
    for url in (f"/bookings/{booking.number}/pay", f"/my/bookings/{booking.number}", f"/bookings/{booking.number}.ics"):
        assert client.get(url).status_code == 404


def test_arabic_catalog_is_compiled_from_its_source():
    """The committed .mo matches the .po (run `make translations` after editing the .po)."""
    from pathlib import Path

    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = Path(__file__).resolve().parents[2] / "bookingadmin" / "translations" / "ar" / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as po, open(folder / "messages.mo", "rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    def plain(value):  # plural entries: a tuple of forms in one reader, a list in the other
        return tuple(value) if isinstance(value, (list, tuple)) else value

    expected = {plain(m.id): plain(m.string) for m in source if m.id and m.string}
    assert {plain(m.id): plain(m.string) for m in compiled if m.id} == expected
    assert expected["My bookings"] == "حجوزاتي"
