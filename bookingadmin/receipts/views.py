"""Receipt downloads: the customer's own (from "my bookings") and staff's (back office, receipts/admin.py)."""
from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from .models import Receipt
from .pdf import receipts_enabled
from .services import current_pdf

bp = Blueprint("receipt_files", __name__)


def pdf_response(receipt: Receipt):
    if not receipts_enabled():  # WeasyPrint's libraries are missing: say so instead of failing
        return render_template("receipts/unavailable.html"), 503
    response = make_response(current_pdf(receipt))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="receipt-{receipt.number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def latest_receipt(booking_id: int, number: str | None = None) -> Receipt | None:
    query = select(Receipt).where(Receipt.booking_id == booking_id)
    if number:
        query = query.where(Receipt.number == number)
    return db.session.scalars(query.order_by(Receipt.id.desc())).first()


@bp.route("/bookings/<number>/receipt.pdf")
@login_required
def customer_receipt(number: str):
    """The signed-in customer's receipt for their own booking; anyone else's is a 404."""
    from ..bookings.models import Booking

    booking = db.session.scalar(select(Booking).where(Booking.number == number))
    if booking is None or booking.customer_id != current_user.id:
        abort(404)
    receipt = latest_receipt(booking.id)
    if receipt is None:
        abort(404)
    return pdf_response(receipt)
