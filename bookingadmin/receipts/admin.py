"""Staff download receipts here: permission bookings.view on the receipt's booking (a coach: their own)."""
from __future__ import annotations

from flask import abort, request
from flask_admin import BaseView, expose
from flask_login import current_user
from sqlalchemy import select

from ..admin.base import PermissionMixin
from ..auth.policy import allowed
from ..extensions import db
from .views import latest_receipt, pdf_response


class ReceiptAdminView(PermissionMixin, BaseView):
    permission = "bookings.view"

    def is_visible(self) -> bool:
        return False  # reached from the booking page, not the menu

    @expose("/")
    def index(self):
        abort(404)

    @expose("/<number>.pdf")
    def download(self, number: str):
        from ..bookings.models import Booking

        booking = db.session.scalar(select(Booking).where(Booking.number == number))
        if booking is None or not allowed(current_user, "bookings.view", booking):
            abort(404)
        receipt = latest_receipt(booking.id, request.args.get("receipt"))
        if receipt is None:
            abort(404)
        return pdf_response(receipt)


def register_admin_views(admin) -> None:
    admin.add_view(ReceiptAdminView(name="Receipts", endpoint="receipts", url="/admin/receipts"))
