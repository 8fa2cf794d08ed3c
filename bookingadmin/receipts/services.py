"""Receipts: a number taken from a locked per-year counter, a frozen snapshot, a PDF rendered by a job.

`issue_receipt_for_booking` runs in the transaction that records the payment: it takes the next
number of the year (the counter row is locked FOR UPDATE until commit, so numbers are sequential
with no gaps and a rollback gives the number back), freezes what the receipt says, and writes the
outbox job (kind "receipts.render", receipts/jobs.py) that renders the PDF. A refund adds a credit line and renders the PDF again.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from ..core.money import quantize
from ..extensions import db
from ..core import outbox
from ..core.outbox import OutboxJob
from .models import Receipt, ReceiptCounter


def receipt_year(now: datetime) -> int:
    """The calendar year in the business's zone (a payment at 01:00 on 1 January in Riyadh is next year's)."""
    return now.astimezone(ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])).year


def allocate_number(year: int) -> int:
    """The next receipt number of `year`. The counter row stays locked until the caller commits."""
    table = ReceiptCounter.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(table).values(year=year, last_number=0).on_conflict_do_nothing(index_elements=["year"]))
    counter = db.session.scalar(select(ReceiptCounter).where(ReceiptCounter.year == year)
                                .with_for_update().execution_options(populate_existing=True))
    counter.last_number += 1
    db.session.flush()
    return counter.last_number


def snapshot_for(booking, *, now: datetime, number: str, payment_method: str | None,
                 amount: Decimal | None = None, paid_at: datetime | None = None) -> dict:
    """Everything the receipt prints, as plain JSON-able values."""
    config = current_app.config
    customer = booking.customer
    language = customer.language if customer is not None else config["DEFAULT_LANGUAGE"]
    zone = customer.timezone if customer is not None else booking.timezone
    return {
        "number": number,
        "issued_at": now.isoformat(),
        "language": language,
        "timezone": zone,
        "business": {"name": config["BUSINESS_NAME"], "address": config.get("BUSINESS_ADDRESS") or "",
                     "email": config["BUSINESS_EMAIL"]},
        "customer": {"name": booking.customer_name, "email": booking.customer_email,
                     "phone": booking.customer_phone or ""},
        "booking": {"number": booking.number, "title_en": booking.type_title_en,
                    "title_ar": booking.type_title_ar or booking.type_title_en,
                    "coach_en": booking.coach.display_name("en"), "coach_ar": booking.coach.display_name("ar"),
                    "starts_at": booking.starts_at.isoformat(), "ends_at": booking.ends_at.isoformat(),
                    "duration_minutes": booking.duration_minutes, "meeting_type": booking.meeting_type},
        "amount": str(quantize(amount if amount is not None else booking.amount, booking.currency)),
        "currency": booking.currency,
        "payment_method": payment_method or booking.payment_method or "",
        "paid_at": (paid_at or booking.paid_at or now).isoformat(),
        "credits": [],
    }


def issue_receipt_for_booking(booking, *, now: datetime, payment_method: str | None = None,
                              payment_id: int | None = None, amount: Decimal | None = None,
                              paid_at: datetime | None = None) -> OutboxJob:
    """The receipt for a booking's payment and the outbox row that renders it (existing ones are kept).

    Free bookings get none. Returns the rendering job, which the payment email waits for.
    """
    existing = _existing(booking.id, payment_id) or _unclaimed(booking.id, payment_id)
    if existing is not None:
        if payment_id is not None and existing.payment_id is None:
            existing.payment_id = payment_id  # issued when the booking was marked paid; now the payment is known
        return _render_row(existing, now)
    year = receipt_year(now)
    sequence = allocate_number(year)
    number = f"R-{year}-{sequence:06d}"
    receipt = Receipt(number=number, year=year, sequence=sequence, booking_id=booking.id, payment_id=payment_id,
                      snapshot=snapshot_for(booking, now=now, number=number, payment_method=payment_method,
                                            amount=amount, paid_at=paid_at), issued_at=now)
    db.session.add(receipt)
    db.session.flush()
    return _render_row(receipt, now)


def _existing(booking_id: int, payment_id: int | None) -> Receipt | None:
    """The receipt of this payment; without a payment, the booking's latest one."""
    query = select(Receipt).where(Receipt.booking_id == booking_id)
    query = query.where(Receipt.payment_id == payment_id) if payment_id is not None else query
    return db.session.scalars(query.order_by(Receipt.id.desc())).first()


def _unclaimed(booking_id: int, payment_id: int | None) -> Receipt | None:
    """A receipt issued for the booking before its payment row existed (a card authorized at booking
    and captured later marks the booking paid first): the payment takes it over, no second number."""
    if payment_id is None:
        return None
    return db.session.scalars(select(Receipt).where(Receipt.booking_id == booking_id, Receipt.payment_id.is_(None))
                              .order_by(Receipt.id)).first()


def _render_row(receipt: Receipt, now: datetime) -> OutboxJob:
    from .jobs import KIND

    return outbox.add(KIND, key=f"receipt:{receipt.id}:rev-{receipt.revision}", now=now,
                      booking_id=receipt.booking_id,
                      payload={"receipt_id": receipt.id, "receipt_number": receipt.number,
                               "revision": receipt.revision})


def add_credit_line(receipt: Receipt, *, amount: Decimal, now: datetime, reference: str,
                    reason: str | None = None) -> OutboxJob:
    """A refund printed on the receipt as a credit line (once per reference); the PDF is rendered again."""
    snapshot = dict(receipt.snapshot)
    credits = list(snapshot.get("credits") or [])
    if any(c.get("reference") == reference for c in credits):
        return _render_row(receipt, now)
    credits.append({"reference": reference, "amount": str(quantize(amount, snapshot["currency"])),
                    "issued_at": now.isoformat(), "reason": reason or ""})
    snapshot["credits"] = credits
    receipt.snapshot = snapshot
    receipt.revision += 1
    db.session.flush()
    return _render_row(receipt, now)


def receipts_for_booking(booking_id: int) -> list[Receipt]:
    return list(db.session.scalars(select(Receipt).where(Receipt.booking_id == booking_id).order_by(Receipt.id)))


def render_receipt(receipt_id: int, now: datetime) -> bool:
    """Render and store the receipt's PDF unless the stored one is already current. True if rendered."""
    receipt = db.session.get(Receipt, receipt_id)
    if receipt is None:
        raise LookupError("the receipt no longer exists")
    if receipt.is_rendered and receipt.pdf:
        return False
    from .pdf import render_pdf

    receipt.pdf = render_pdf(receipt.snapshot)
    receipt.rendered_revision, receipt.rendered_at = receipt.revision, now
    return True


def current_pdf(receipt: Receipt) -> bytes:
    """The stored PDF when it is current; otherwise rendered now from the snapshot (nothing is saved)."""
    if receipt.is_rendered and receipt.pdf:
        return receipt.pdf
    from .pdf import render_pdf

    return render_pdf(receipt.snapshot)
