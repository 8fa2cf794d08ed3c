"""Back-office pages for one booking's money: payments and refunds, the refund form
(permission refunds.issue) and the manual payment form (permission payments.record).

URLs (for the booking detail page's `payments_panel` block):
    url_for("booking_money.detail", number=booking.number)   # overview with both forms
    url_for("booking_money.refund", number=booking.number)   # GET form / POST refund
    url_for("booking_money.record", number=booking.number)   # GET form / POST manual payment
"""
from __future__ import annotations

import uuid

from flask import Flask, abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..admin.base import PermissionMixin
from ..auth.permissions import has_permission
from ..bookings.models import Booking
from ..core.clock import utcnow
from ..core.web import run_service
from ..extensions import db
from .models import Payment, Refund


class RefundForm(FlaskForm):
    amount = DecimalField("Amount", places=2, validators=[Optional(), NumberRange(min=0.01)],
                          description="Leave empty to refund everything that is left")
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=1000)])
    nonce = HiddenField()


class ManualPaymentForm(FlaskForm):
    method = SelectField("Method", choices=[("cash", "Cash"), ("bank_transfer", "Bank transfer")])
    amount = DecimalField("Amount", places=2, validators=[DataRequired(), NumberRange(min=0.01)])
    reference = StringField("Reference", validators=[Optional(), Length(max=200)],
                            description="Bank reference or receipt number")
    note = TextAreaField("Note", validators=[Optional(), Length(max=1000)])


class BookingMoneyView(PermissionMixin, BaseView):
    """Not in the menu: reached from a booking's detail page."""

    permission = "backoffice.access"

    def is_visible(self) -> bool:
        return False

    def is_accessible(self) -> bool:
        return has_permission(current_user, "refunds.issue") or has_permission(current_user, "payments.record")

    def _booking(self, number: str) -> Booking:
        booking = db.session.scalar(db.select(Booking).where(Booking.number == number))
        if booking is None:
            abort(404)
        return booking

    def _page(self, booking, refund_form=None, payment_form=None, status=200):
        from .services import money_summary, outstanding_amount

        can_refund = has_permission(current_user, "refunds.issue")
        can_record = has_permission(current_user, "payments.record")
        summary = money_summary(booking)
        if can_refund and refund_form is None:
            refund_form = RefundForm(formdata=None, nonce=uuid.uuid4().hex)
        if can_record and payment_form is None:
            payment_form = ManualPaymentForm(formdata=None, amount=outstanding_amount(booking))
        payments = db.session.scalars(db.select(Payment).where(Payment.booking_id == booking.id).order_by(Payment.id))
        refunds = db.session.scalars(db.select(Refund).where(Refund.booking_id == booking.id).order_by(Refund.id))
        return self.render("admin/payments/booking_money.html", booking=booking, summary=summary,
                           outstanding=outstanding_amount(booking), payments=list(payments), refunds=list(refunds),
                           refund_form=refund_form if can_refund else None,
                           payment_form=payment_form if can_record else None), status

    @expose("/")
    def index(self):
        return redirect(url_for("admin.index"))

    @expose("/<number>/")
    def detail(self, number):
        return self._page(self._booking(number))

    @expose("/<number>/refund", methods=["GET", "POST"])
    def refund(self, number):
        if not has_permission(current_user, "refunds.issue"):
            abort(403)
        from .services import issue_refund

        booking = self._booking(number)
        form = RefundForm()
        if request.method == "POST" and form.validate_on_submit():
            with run_service(form) as ran:
                refunds = issue_refund(booking, amount=form.amount.data, reason=form.reason.data,
                                       actor=current_user, now=utcnow(),
                                       idempotency_key=f"staff-{form.nonce.data or uuid.uuid4().hex}")
            if ran:
                total = sum(r.amount for r in refunds)
                flash(f"Refund of {total} {booking.currency} recorded for {booking.number}", "success")
                return redirect(url_for(".detail", number=number))
        return self._page(booking, refund_form=form, status=400 if form.errors else 200)

    @expose("/<number>/payment", methods=["GET", "POST"])
    def record(self, number):
        if not has_permission(current_user, "payments.record"):
            abort(403)
        from .services import record_manual_payment

        booking = self._booking(number)
        form = ManualPaymentForm()
        if request.method == "POST" and form.validate_on_submit():
            with run_service(form) as ran:
                record_manual_payment(booking, amount=form.amount.data, method=form.method.data,
                                      reference=form.reference.data, note=form.note.data,
                                      actor=current_user, now=utcnow())
            if ran:
                flash(f"Payment recorded for {booking.number}", "success")
                return redirect(url_for(".detail", number=number))
        return self._page(booking, payment_form=form, status=400 if form.errors else 200)


def register_admin_views(app: Flask) -> None:
    from ..admin import add_admin_views

    add_admin_views(app, lambda admin: admin.add_view(
        BookingMoneyView(name="Booking money", endpoint="booking_money", url="/admin/booking-money")))
