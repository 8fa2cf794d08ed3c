"""Without WeasyPrint's libraries the app runs with PDF receipts off: numbers and snapshots are still
kept, the render job records why it did nothing, emails go without the PDF, the download pages say so."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask import render_template_string
from flask_login import login_user
from sqlalchemy import select

from bookingadmin.core.clock import utcnow
from bookingadmin.core.outbox import OutboxJob, sweep
from bookingadmin.extensions import db
from bookingadmin.receipts.models import Receipt
from tests.notifications.helpers import by_kind, read_outbox

REPO = Path(__file__).resolve().parents[2]
NOTICE = "PDF receipts are turned off on this server"


def _disabled(app) -> None:
    app.config["RECEIPTS_ENABLED"] = False


def test_a_paid_booking_keeps_its_receipt_and_the_job_says_why(app, make_booking):
    _disabled(app)
    booking = make_booking("confirmed")
    sweep(utcnow())  # hands over the payment email that waited for the render job
    [receipt] = db.session.scalars(select(Receipt)).all()
    assert receipt.booking_id == booking.id and receipt.number.startswith("R-") and receipt.pdf is None
    job = db.session.scalar(select(OutboxJob).where(OutboxJob.kind == "receipts.render"))
    assert job.status == "cancelled" and "PDF receipts are disabled" in job.last_error
    [paid] = by_kind(read_outbox(app), "payment_received")
    assert not [part for part in paid.iter_attachments() if part.get_content_type() == "application/pdf"]


def test_download_pages_show_a_translated_notice(app, client, auth, make_booking, make_user):
    _disabled(app)
    booking = make_booking("confirmed")
    auth.login(booking.customer.email)
    response = client.get(f"/bookings/{booking.number}/receipt.pdf")
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert NOTICE in response.get_data(as_text=True)
    booking.customer.language = "ar"  # the page speaks the signed-in customer's language
    db.session.commit()
    arabic = client.get(f"/bookings/{booking.number}/receipt.pdf")
    assert "إيصالات PDF متوقفة على هذا الخادم" in arabic.get_data(as_text=True)
    assert client.get("/").status_code == 200  # the rest of the app works
    auth.logout()
    auth.login(make_user(role="support").email)
    response = client.get(f"/admin/receipts/{booking.number}.pdf")
    assert response.status_code == 503 and NOTICE in response.get_data(as_text=True)


def test_the_booking_panel_says_receipts_are_disabled_instead_of_linking(app, make_booking):
    _disabled(app)
    booking = make_booking("confirmed")
    with app.test_request_context("/admin/bookings/details/"):
        login_user(booking.customer)
        html = render_template_string('{% include "admin/notifications_panel.html" %}', booking=booking)
    assert "WeasyPrint's libraries are missing" in html
    assert f"/admin/receipts/{booking.number}.pdf" not in html


def _detect(extra: str) -> str:
    code = (f"{extra}\nfrom bookingadmin.receipts.pdf import weasyprint_problem\n"
            "print(repr(weasyprint_problem()))")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_detection_reports_missing_libraries_without_raising():
    """WeasyPrint loads Pango & co. with cffi's dlopen; a library path that finds nothing makes it raise OSError."""
    broken = ("import cffi\n"
              "def missing(self, name, flags=0):\n"
              "    raise OSError(f'cannot load library {name!r}: no such file')\n"
              "cffi.FFI.dlopen = missing")
    reason = _detect(broken)
    assert "cannot load library 'libgobject" in reason and "no such file" in reason
    assert _detect("") == "None"  # with the libraries there, receipts are on
