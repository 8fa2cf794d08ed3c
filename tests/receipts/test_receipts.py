"""Receipts: gapless numbers per year, PDFs that say the right things in English and Arabic, refunds
as credit lines, downloads only for the owner and permitted staff."""
from __future__ import annotations

import shutil
import subprocess
import threading
import unicodedata
from datetime import datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db
from bookingadmin.core.outbox import OutboxJob, kinds, run_job
from bookingadmin.notifications.models import Notification
from bookingadmin.receipts.models import Receipt
from bookingadmin.receipts.services import add_credit_line, allocate_number, issue_receipt_for_booking
from tests.support.services import require_service

pytestmark = pytest.mark.receipt_pdf  # these read the PDFs the render job stores


def pdf_text(data: bytes, tmp_path) -> str:
    require_service("pdftotext", lambda: shutil.which("pdftotext"))
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    return unicodedata.normalize("NFKC", text)  # Arabic comes back in presentation forms


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()


def receipts() -> list[Receipt]:
    return list(db.session.scalars(select(Receipt).order_by(Receipt.id)))


def test_a_paid_booking_gets_a_numbered_rendered_receipt(app, make_booking, tmp_path):
    booking = make_booking("confirmed")
    [receipt] = receipts()
    year = receipt.issued_at.year
    assert receipt.number == f"R-{year}-000001" and receipt.booking_id == booking.id
    assert receipt.is_rendered and receipt.pdf.startswith(b"%PDF")
    text = pdf_text(receipt.pdf, tmp_path)
    for expected in ("Receipt", receipt.number, "Bookingadmin Coaching", booking.customer_name, booking.customer_email,
                     booking.type_title_en, booking.coach.display_name_en, f"{booking.amount} USD", "Cash",
                     booking.number, "(Europe/London)"):
        assert expected in text, expected


def test_numbers_follow_on_without_gaps_and_restart_each_year(app, make_booking):
    first, second = make_booking("confirmed"), make_booking("confirmed")
    numbers = [r.sequence for r in receipts()]
    assert numbers == [1, 2]
    next_year = datetime(receipts()[0].year + 1, 1, 1, 0, 30, tzinfo=timezone.utc)  # 03:30 in Riyadh
    assert allocate_number(next_year.year) == 1
    db.session.rollback()  # a rolled-back receipt gives its number back
    assert allocate_number(next_year.year) == 1
    db.session.commit()
    assert allocate_number(next_year.year) == 2
    db.session.commit()
    assert first.id != second.id


def test_issuing_twice_gives_one_receipt_and_the_job_twice_one_rendering(app, make_booking):
    booking = make_booking("confirmed")
    again = issue_receipt_for_booking(booking, now=utcnow())
    db.session.commit()
    assert len(receipts()) == 1
    assert run_job(again.id) == "skipped"
    [job] = db.session.scalars(select(OutboxJob).where(OutboxJob.kind == "receipts.render")).all()
    assert job.id == again.id and (job.status, job.attempts) == ("done", 1)


def test_the_render_handler_run_twice_renders_once(app, make_booking):
    """Below the claim: the handler called again for one revision keeps the stored PDF."""
    make_booking("confirmed")
    [receipt] = receipts()
    job = db.session.scalar(select(OutboxJob).where(OutboxJob.kind == "receipts.render"))
    rendered_at, pdf = receipt.rendered_at, receipt.pdf
    assert kinds()["receipts.render"].handler(job, utcnow()) == "already rendered"
    db.session.commit()
    db.session.expire_all()
    assert (receipt.rendered_at, receipt.pdf) == (rendered_at, pdf) and receipt.is_rendered


@pytest.mark.postgres_only
def test_concurrent_receipts_take_distinct_consecutive_numbers(pg_app):
    """Eight transactions at once: the FOR UPDATE counter gives 1..8, no duplicate, no gap."""
    taken, errors = [], []
    barrier = threading.Barrier(8)

    def take():
        with pg_app.app_context():
            try:
                barrier.wait(timeout=10)
                number = allocate_number(2031)
                db.session.commit()
                taken.append(number)
            except Exception as error:  # noqa: BLE001
                errors.append(error)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(taken) == list(range(1, 9))


def test_arabic_receipt_is_right_to_left_with_an_arabic_font(app, make_user, make_booking, tmp_path):
    customer = make_user(language="ar", timezone="Asia/Riyadh", name="سارة")
    booking = make_booking("confirmed", customer=customer)
    [receipt] = receipts()
    from bookingadmin.receipts.pdf import render_html

    html = render_html(receipt.snapshot)
    assert 'dir="rtl"' in html and '"Noto Naskh Arabic", "DejaVu Sans", sans-serif' in html
    # words from the Babel catalog, the time on the snapshot's zone in the reader's language
    assert "رقم الإيصال" in html and "طريقة الدفع" in html and "نقداً" in html
    weekday = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")[
        booking.starts_at.astimezone(ZoneInfo("Asia/Riyadh")).weekday()]
    assert f"{weekday}، " in html and "(Asia/Riyadh)" in html
    text = pdf_text(receipt.pdf, tmp_path)
    assert "إيصال" in text and "المبلغ المدفوع" in text and "نقدا" in text
    assert receipt.number in text and booking.number in text
    assert "Noto-Naskh-Arabic" in pdf_fonts(receipt.pdf, tmp_path)


def test_a_refund_adds_a_credit_line_and_renders_again(app, make_booking, tmp_path):
    booking = make_booking("confirmed")
    [receipt] = receipts()
    row = add_credit_line(receipt, amount=Decimal("45.00"), now=utcnow(), reference="refund-1", reason="Cancelled")
    add_credit_line(receipt, amount=Decimal("45.00"), now=utcnow(), reference="refund-1")  # same refund: once
    db.session.commit()
    db.session.expire_all()
    assert receipt.revision == 2 and receipt.is_rendered and len(receipt.snapshot["credits"]) == 1
    text = pdf_text(receipt.pdf, tmp_path)
    assert "Refund" in text and "45.00 USD" in text
    assert f"{booking.amount - Decimal('45.00')} USD" in text  # the total after refunds
    assert row.status == "done"


def test_payment_and_refund_through_the_payments_domain(app, factories, make_booking, make_user, tmp_path):
    """Cash recorded by staff gives a receipt for that payment; a refund a credit line and an email."""
    from bookingadmin.payments import services as payments

    staff = make_user(role="support")
    booking = make_booking("pending_payment")
    payments.record_manual_payment(booking, amount=booking.amount, method="cash", actor=staff, now=utcnow())
    db.session.commit()
    [receipt] = receipts()
    assert receipt.payment_id is not None and receipt.snapshot["payment_method"] == "cash"
    payments.issue_refund(booking, amount=Decimal("10.00"), reason="Goodwill", actor=staff, now=utcnow(),
                          idempotency_key="test-refund-1")
    db.session.commit()
    db.session.expire_all()
    assert [c["amount"] for c in receipt.snapshot["credits"]] == ["10.00"]
    assert "10.00 USD" in pdf_text(receipt.pdf, tmp_path)
    emails = {r.kind: r.status for r in db.session.scalars(select(Notification).where(
        Notification.booking_id == booking.id))}
    assert emails["refund_issued"] == "sent" and emails["payment_received"] == "sent"
    assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1


def test_customers_download_only_their_own_receipt(app, client, auth, make_booking, make_user):
    booking = make_booking("confirmed")
    auth.login(booking.customer.email)
    response = client.get(f"/bookings/{booking.number}/receipt.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    auth.logout()
    stranger = make_user()
    auth.login(stranger.email)
    assert client.get(f"/bookings/{booking.number}/receipt.pdf").status_code == 404
    auth.logout()
    assert client.get(f"/bookings/{booking.number}/receipt.pdf").status_code == 302  # to the login page


def test_staff_download_with_bookings_view_and_object_access(app, client, auth, make_booking, make_user, make_coach):
    booking = make_booking("confirmed")
    url = f"/admin/receipts/{booking.number}.pdf"
    auth.login(make_user(role="support").email)
    assert client.get(url).status_code == 200
    auth.logout()
    auth.login(booking.coach.user.email)  # the booking's coach
    assert client.get(url).status_code == 200
    auth.logout()
    auth.login(make_coach().user.email)  # another coach
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login(booking.customer.email)  # customers have no bookings.view
    assert client.get(url).status_code == 403


def test_a_payment_recorded_after_the_booking_was_marked_paid_takes_over_its_receipt(app, make_booking, make_user):
    """Card authorized at booking (the booking is paid) and captured later (payment_recorded)."""
    from bookingadmin.payments.models import Payment
    from bookingadmin.receipts.receivers import on_payment_recorded

    from bookingadmin.bookings import lifecycle

    booking = make_booking("pending_payment")
    lifecycle.mark_paid(booking, actor=None, now=utcnow(), method="stripe")  # the authorization arrived
    db.session.commit()
    [receipt] = receipts()  # issued with the "paid" event, before any Payment row was captured
    payment = Payment(booking=booking, method="stripe", status="succeeded", amount=booking.amount,
                      currency=booking.currency, succeeded_at=utcnow())
    db.session.add(payment)
    db.session.flush()
    on_payment_recorded(app, payment=payment)
    db.session.commit()
    assert [(r.id, r.payment_id) for r in receipts()] == [(receipt.id, payment.id)]
