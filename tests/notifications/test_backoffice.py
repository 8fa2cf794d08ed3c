"""Back office: the delivery log with resend, the booking panel include, worker health, the opt-in."""
from __future__ import annotations

import pytest
from flask import render_template_string
from sqlalchemy import select

from bookingadmin.extensions import db
from bookingadmin.notifications.models import Notification
from tests.notifications.helpers import by_kind, closed_port, read_outbox


def _row(kind: str) -> Notification:
    return db.session.scalar(select(Notification).where(Notification.kind == kind))


def test_support_resends_an_email_from_the_booking_panel(app, client, auth, make_booking, make_user):
    booking = make_booking("confirmed")
    row = _row("confirmed")
    auth.login(make_user(role="support").email)
    token = auth.csrf_token("/admin/notifications/")
    response = client.post(f"/admin/notifications/resend/{row.job_id}",
                           data={"csrf_token": token, "next": "/admin/?from=panel"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/?from=panel")
    copies = db.session.scalars(select(Notification).where(Notification.resent_from_id == row.id)).all()
    assert [c.status for c in copies] == ["sent"]
    assert len(by_kind(read_outbox(app), "confirmed")) == 2
    assert booking.number in by_kind(read_outbox(app), "confirmed")[1]["Subject"]


def test_resend_needs_the_notifications_resend_permission(app, client, auth, make_booking):
    booking = make_booking("confirmed")
    row = _row("confirmed")
    auth.login(booking.coach.user.email)  # coaches lack notifications.resend
    token = auth.csrf_token("/admin/")
    assert client.post(f"/admin/notifications/resend/{row.job_id}", data={"csrf_token": token}).status_code == 403
    assert client.get("/admin/notifications/").status_code == 403
    assert len(by_kind(read_outbox(app), "confirmed")) == 1


@pytest.mark.allow_smtp  # a closed port on purpose
def test_delivery_log_lists_failures_with_their_error(app, client, auth, make_booking, make_user):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port(), MAIL_USE_TLS=False)
    make_booking("pending_payment")
    auth.login(make_user(role="admin").email)
    page = client.get("/admin/notifications/").get_data(as_text=True)
    assert "booking created →" in page and "ConnectionRefusedError" in page
    assert "Receipt PDF" not in page  # an unpaid booking has no receipt job


def test_delivery_log_shows_every_kind_of_job(app, client, auth, make_booking, make_user):
    make_booking("confirmed")  # paid in cash: emails and a receipt PDF
    auth.login(make_user(role="admin").email)
    page = client.get("/admin/notifications/").get_data(as_text=True)
    assert "Email (notifications.email)" in page and "Receipt PDF (receipts.render)" in page
    assert "payment received →" in page and "R-20" in page


def test_the_booking_panel_include_shows_each_row_and_a_resend_button(app, client, auth, make_booking, make_user):
    booking = make_booking("confirmed")
    auth.login(make_user(role="support").email)
    with app.test_request_context("/admin/bookings/details/"):
        from flask_login import login_user

        login_user(db.session.get(type(booking.customer), auth_user_id(client)))
        html = render_template_string('{% include "admin/notifications_panel.html" %}', booking=booking)
    assert "confirmed" in html and "payment received" in html and "reminder" in html
    emails = db.session.scalars(select(Notification).where(Notification.booking_id == booking.id)).all()
    assert html.count(">Resend</button>") == len(emails) >= 4
    assert "receipts.render" in html  # the receipt's job shows too, without a resend button
    assert f"/admin/receipts/{booking.number}.pdf" in html


def auth_user_id(client) -> int:
    with client.session_transaction() as session:
        return int(session["_user_id"])


def test_worker_health_page_and_panel(app, client, auth, make_user):
    auth.login(make_user(role="admin").email)
    page = client.get("/admin/worker-health/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "inline, no Redis" in text and "The outbox sweep has never run" in text
    assert app.test_cli_runner().invoke(args=["outbox-sweep"]).exit_code == 0
    assert "never run" not in client.get("/admin/worker-health/").get_data(as_text=True)


def test_staff_opt_in_to_booking_emails(app, client, auth, make_user, make_booking):
    admin = make_user(role="admin")
    auth.login(admin.email)
    token = auth.csrf_token("/admin/my-notifications/")
    client.post("/admin/my-notifications/", data={"csrf_token": token, "notify_new_bookings": "on"})
    db.session.expire_all()
    assert admin.notify_new_bookings is True
    booking = make_booking("pending_payment")
    told = {m["To"].addresses[0].addr_spec for m in by_kind(read_outbox(app), "staff_new_booking")}
    assert told == {admin.email, booking.coach.user.email}


def test_dashboard_shows_worker_health_to_support_and_admins_only(app, make_user, auth):
    for role, shown in (("admin", True), ("support", True), ("coach", False)):
        user = make_user(role=role)
        auth.login(user.email)
        page = auth.client.get("/admin/").get_data(as_text=True)
        assert ('id="worker-health"' in page) is shown, role
        auth.logout()
