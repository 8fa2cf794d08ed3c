"""Stored text is data, never markup and never a translation key (issue 9, "Stored script").

Every free-text field a customer, coach or support user controls is filled with script, an
attribute breakout and a gettext placeholder; every page, email, receipt, CSV export and .ics where
the text appears is read back through the real app: no raw tag, the literal text visible, no 500.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import unicodedata
from datetime import timedelta

import pytest
from markupsafe import escape

from bookingadmin.bookings import lifecycle
from bookingadmin.bookings.services import set_meeting_details, update_staff_notes
from bookingadmin.catalog.models import CoachProfile, ConsultationType
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db
from bookingadmin.receipts.models import Receipt
from tests.support.services import require_service
from tests.factories import local_time
from tests.notifications.helpers import body_html, body_text, read_outbox

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
PLACEHOLDER = "%(x)s"


def evil(field: str) -> str:
    """A value naming its field, so a failure says which one leaked."""
    return f"{field} {SCRIPT} {BREAKOUT} 100{PLACEHOLDER} off"


RAW = re.compile(r"<script>alert\(1\)|<img src=x", re.I)


def assert_safe_html(html: str, where: str, *fields: str) -> None:
    """No executable tag from the data; each field's text is there, escaped."""
    leaked = RAW.search(html)
    assert leaked is None, f"raw markup from stored text on {where}: ...{html[max(0, leaked.start() - 80):leaked.end() + 40]}"
    for field in fields:
        assert f"{field} &lt;script&gt;alert(1)&lt;/script&gt;" in html, f"{field} not shown escaped on {where}"
        assert "&lt;img src=x onerror=alert(1)&gt;" in html and "100%(x)s off" in html, where


def get_ok(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    return response.get_data(as_text=True)


@pytest.fixture
def stored(app, factories, make_user):
    """A coach, a type and bookings whose every free-text field holds hostile text."""
    coach_user = factories.user(role="coach", name=evil("coach-account-name"), timezone="Asia/Riyadh")
    coach = factories.coach(coach_user, display_name_en=evil("coach-name"), title=evil("coach-title"),
                            bio=evil("coach-bio"), specialties=[evil("coach-specialty")])
    ctype = factories.type(coaches=[coach], title_en=evil("type-title"), description_en=evil("type-description"),
                           features=[evil("type-feature")], options=((60, "90.00"),))
    customer = factories.user(role="customer", name=evil("customer-name"), timezone="Asia/Riyadh")
    contact = {"name": evil("booking-name"), "email": customer.email, "phone": "+966501234567"}
    intake = {name: evil(f"intake-{name}") for name in ("goals", "notes", "medical_conditions", "current_activity")}
    common = dict(customer=customer, coach=coach, ctype=ctype, contact=contact, intake=intake)
    upcoming = factories.booking("confirmed", starts_at=local_time(coach, days=5, at="10:00"), **common)
    support = make_user(role="support")
    now = utcnow()
    set_meeting_details(upcoming, actor=support, now=now, meeting_type="in_person",
                        meeting_location=evil("meeting-location"))
    update_staff_notes(upcoming, actor=support, now=now, admin_notes=evil("staff-notes"),
                       follow_up_notes=evil("follow-up-notes"))
    staff_cancelled = factories.booking("confirmed", starts_at=local_time(coach, days=6, at="10:00"), **common)
    lifecycle.cancel(staff_cancelled, actor=support, now=now, reason=evil("staff-cancel-reason"), by="staff")
    customer_cancels = factories.booking("confirmed", starts_at=local_time(coach, days=7, at="10:00"), **common)
    past = factories.booking("completed", starts_at=local_time(coach, days=-3, at="10:00"), **common)
    db.session.commit()
    admin = make_user(role="admin")
    return dict(coach=coach, ctype=ctype, customer=customer, upcoming=upcoming, staff_cancelled=staff_cancelled,
                customer_cancels=customer_cancels, past=past, admin=admin, support=support)


def _csrf(client, path: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', get_ok(client, path))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def test_customer_pages_show_stored_text_escaped(client, auth, stored):
    """What a customer and staff typed reaches the customer's pages as text; `%(x)s` gives no 500."""
    s = stored
    auth.login(s["customer"].email)
    cancel_path = f"/my/bookings/{s['customer_cancels'].number}/cancel"
    answer = client.post(cancel_path, data={"csrf_token": _csrf(client, cancel_path),
                                            "reason": evil("customer-cancel-reason")})
    assert answer.status_code in (302, 303), answer.status_code
    feedback_path = f"/my/bookings/{s['past'].number}/feedback"
    answer = client.post(feedback_path, data={"csrf_token": _csrf(client, f"/my/bookings/{s['past'].number}"),
                                              "rating": "4", "comment": evil("feedback-comment")})
    assert answer.status_code in (302, 303), answer.status_code

    number = s["ctype"].number
    assert_safe_html(get_ok(client, "/"), "/", "type-title", "type-feature")
    assert_safe_html(get_ok(client, f"/consultations/{number}"), "type page", "type-title", "type-description",
                     "type-feature", "coach-name", "coach-bio")
    assert_safe_html(get_ok(client, f"/book/{number}?coach={s['coach'].id}"), "booking calendar", "type-title",
                     "coach-name")
    assert_safe_html(get_ok(client, "/my/bookings"), "my bookings", "type-title")
    assert_safe_html(get_ok(client, f"/my/bookings/{s['upcoming'].number}"), "my booking", "type-title",
                     "coach-name", "meeting-location", "customer-name")
    assert_safe_html(get_ok(client, f"/my/bookings/{s['staff_cancelled'].number}"), "cancelled booking",
                     "staff-cancel-reason")
    assert_safe_html(get_ok(client, f"/my/bookings/{s['customer_cancels'].number}"), "cancelled by customer",
                     "customer-cancel-reason")
    assert_safe_html(get_ok(client, f"/my/bookings/{s['past'].number}"), "past booking", "type-title")


def test_staff_pages_and_csv_show_stored_text_as_text(client, auth, stored):
    """The back office lists, details, calendar and audit escape it; the CSV carries it literally."""
    s = stored
    auth.login(s["admin"].email)
    upcoming = s["upcoming"]
    assert_safe_html(get_ok(client, "/admin/bookings/"), "booking list", "booking-name", "type-title")
    assert_safe_html(get_ok(client, f"/admin/bookings/details/?id={upcoming.id}"), "booking details",
                     "booking-name", "intake-goals", "intake-notes", "intake-medical_conditions",
                     "intake-current_activity", "meeting-location", "staff-notes", "follow-up-notes")
    assert_safe_html(get_ok(client, f"/admin/bookings/details/?id={s['staff_cancelled'].id}"),
                     "cancelled booking details", "staff-cancel-reason")
    for path in ("/admin/customers/", f"/admin/customers/details/?id={s['customer'].id}", "/admin/audit/",
                 f"/admin/calendar/?coach={s['coach'].id}", "/admin/consultation_types/", "/admin/coaches/",
                 "/admin/users/", "/admin/"):
        html = get_ok(client, path)
        assert RAW.search(html) is None, f"raw markup from stored text on {path}"
    assert_safe_html(get_ok(client, "/admin/consultation_types/"), "type list", "type-title")
    assert_safe_html(get_ok(client, "/admin/coaches/"), "coach list", "coach-name")

    export = client.get("/admin/bookings/export/csv/")
    assert export.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(export.get_data(as_text=True))) for cell in row]
    assert any(cell.startswith("booking-name " + SCRIPT + " " + BREAKOUT) for cell in cells)


def test_emails_ics_and_receipt_carry_stored_text_as_text(app, client, auth, stored, tmp_path):
    s = stored
    messages = read_outbox(app)
    assert messages, "the bookings sent no email"
    for message in messages:
        html = body_html(message)
        leaked = RAW.search(html)
        assert leaked is None, f"raw markup in the {message['X-Bookingadmin-Kind']} email"
        assert "\n" not in str(message["Subject"])
    texts = "\n".join(body_text(m) for m in messages)
    assert evil("type-title") in texts and evil("coach-name") in texts and evil("staff-cancel-reason") in texts
    assert "&lt;" not in texts  # plain text is not HTML-escaped
    htmls = "\n".join(body_html(m) for m in messages)
    assert "type-title &lt;script&gt;alert(1)&lt;/script&gt;" in htmls

    auth.login(s["customer"].email)
    ics = client.get(f"/bookings/{s['upcoming'].number}.ics")
    assert ics.status_code == 200
    unfolded = ics.get_data(as_text=True).replace("\r\n ", "")
    assert "type-title <script>alert(1)</script>" in unfolded

    receipt = db.session.scalar(db.select(Receipt).where(Receipt.booking_id == s["upcoming"].id))
    assert receipt is not None
    pdf = client.get(f"/bookings/{s['upcoming'].number}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    require_service("pdftotext", shutil.which("pdftotext"))
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    assert "<script>alert(1)</script>" in text and "onerror=alert(1)>" in text and "100%(x)s off" in text


def test_forms_echo_hostile_input_escaped(client, auth, stored):
    """Registration and the booking form put typed text back into the page as escaped values."""
    token = _csrf(client, "/register")
    page = client.post("/register", data={"csrf_token": token, "name": evil("typed-name"), "email": BREAKOUT,
                                          "phone": SCRIPT, "password": "x", "language": "en",
                                          "timezone": evil("typed-zone")})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert RAW.search(html) is None
    assert 'value="typed-name &lt;script&gt;alert(1)&lt;/script&gt; &#34;&gt;&lt;img' in html


@pytest.mark.parametrize("payload", [SCRIPT, BREAKOUT, "100%(x)s off"], ids=["script", "breakout", "placeholder"])
def test_each_payload_alone_in_a_reason_and_a_feature(client, auth, factories, payload):
    """Each payload on its own: a reason or feature used as a translation key was marked safe (script ran)
    or formatted (`100%(x)s off` answered 500 for ever)."""
    booking = factories.booking("confirmed")
    booking.consultation_type.features = [payload]
    lifecycle.cancel(booking, actor=None, now=utcnow(), reason=payload, by="staff")
    db.session.commit()
    auth.login(booking.customer.email)
    escaped = str(escape(payload))
    for path in (f"/my/bookings/{booking.number}", "/", f"/consultations/{booking.consultation_type.number}"):
        html = get_ok(client, path)
        assert RAW.search(html) is None, path
        assert escaped in html, path


def test_flashed_messages_are_translated_where_made_and_shown_escaped(client, auth, factories):
    customer = factories.user(role="customer", language="ar")
    auth.login(customer.email)
    client.get("/language/ar?next=/")
    answer = client.post("/logout", data={"csrf_token": _csrf(client, "/")}, follow_redirects=True)
    assert "تم تسجيل خروجك." in answer.get_data(as_text=True)
    client.get("/language/en?next=/")
    page = client.get("/my/bookings", follow_redirects=True).get_data(as_text=True)
    assert "Please log in to access this page." in page


def test_arabic_labels_still_come_from_the_catalog(client):
    client.get("/language/ar?next=/")
    html = get_ok(client, "/register")
    assert "الاسم الكامل" in html or "Full name" not in html
