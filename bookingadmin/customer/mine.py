"""The customer's own bookings: upcoming / past / cancelled, a booking's page, cancel (with the refund
the policy gives shown first), reschedule, feedback. The lifecycle decides what is allowed; the
flows that reach into availability and payments are bookings.operations'."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func

from ..bookings import lifecycle, operations, policy
from ..bookings.models import Booking
from ..bookings.services import get_booking_for
from ..core.clock import utcnow
from ..core.errors import NotFound
from ..core.web import run_service
from ..extensions import db
from ..payments import services as payments
from .forms import CancelForm, FeedbackForm, RescheduleForm
from ..core.display import viewer_zone_name
from .month import MonthView
from .catalog_pages import bp

PAGE_SIZE = 10
TABS = operations.CUSTOMER_TABS


def _own(number: str) -> Booking:
    try:
        return get_booking_for(current_user, number)
    except NotFound:
        abort(404)


@bp.route("/my/bookings")
@login_required
def my_bookings():
    tab = request.args.get("tab") if request.args.get("tab") in TABS else "upcoming"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = operations.customer_bookings(current_user, tab, utcnow())
    total = db.session.scalar(db.select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("customer/my_bookings.html", bookings=rows, tab=tab, page=page, pages=pages,
                           tz=viewer_zone_name(), tabs=TABS)


@bp.route("/my/bookings/<number>")
@login_required
def my_booking(number: str):
    booking = _own(number)
    now = utcnow()
    return render_template("customer/my_booking.html", booking=booking, tz=viewer_zone_name(),
                           actions=lifecycle.allowed_actions(booking, current_user, now),
                           summary=payments.money_summary(booking), feedback_form=FeedbackForm(), now=now,
                           reschedule_deadline=policy.reschedule_deadline(booking))


def _back_to(booking_number: str):
    return redirect(url_for(".my_booking", number=booking_number))


@bp.route("/my/bookings/<number>/cancel", methods=["GET", "POST"])
@login_required
def cancel_booking(number: str):
    """GET: what cancelling now gives back, in words; POST: cancel with that refund."""
    booking, now = _own(number), utcnow()
    if not lifecycle.can("cancel", booking, current_user, now):
        flash(_("This booking can no longer be cancelled online. Please contact us."), "error")
        return _back_to(number)
    form = CancelForm()
    if form.validate_on_submit():
        with run_service() as ran:
            operations.cancel_booking(booking, actor=current_user, now=now, by="customer",
                                      reason=form.reason.data or "Cancelled by the customer")
        if ran:
            flash(_("Your booking is cancelled."), "success")
        return _back_to(number)
    quote = operations.refund_quote(booking, now, by="customer")
    return render_template("customer/cancel.html", booking=booking, form=form, refund=quote.payable,
                           percent=quote.percent, tz=viewer_zone_name(), summary=payments.money_summary(booking))


@bp.route("/my/bookings/<number>/reschedule", methods=["POST"])
@login_required
def reschedule_booking_post(number: str):
    """Move the booking to the chosen time (one of those the GET page offered)."""
    booking, now = _own(number), utcnow()
    if not lifecycle.can("reschedule", booking, current_user, now):
        return _cannot_move(number)
    form = RescheduleForm()
    if form.validate_on_submit():
        starts_at = _instant(form.starts_at.data)
        if starts_at is None:
            flash(_("Please choose one of the offered times."), "error")
            return redirect(url_for(".reschedule_booking", number=number))
        with run_service() as ran:
            lifecycle.reschedule(booking, starts_at=starts_at, actor=current_user, now=now,
                                 slot_id=form.slot_id.data, reason="Moved by the customer")
        if ran:
            flash(_("Your booking was moved."), "success")
            return _back_to(number)
    return redirect(url_for(".reschedule_booking", number=number))


def _instant(raw: str) -> datetime | None:
    try:
        return datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        return None


def _move_offers(booking: Booking, cal: MonthView, now) -> tuple[list, list]:
    """The month's dates and the chosen day's times this booking may move to."""
    days = operations.reschedule_dates(booking, year=cal.year, month=cal.month, viewer_tz=cal.tz, now=now)
    times = (operations.reschedule_times(booking, start=cal.chosen_day, end=cal.chosen_day, viewer_tz=cal.tz,
                                         now=now) if cal.chosen_day else [])
    return days, times


def _cannot_move(number: str):
    flash(_("This booking can no longer be moved online. Please contact us."), "error")
    return _back_to(number)


@bp.route("/my/bookings/<number>/reschedule")
@login_required
def reschedule_booking(number: str):
    """Choose a new bookable time with the same coach, type and duration."""
    booking, now = _own(number), utcnow()
    if not lifecycle.can("reschedule", booking, current_user, now):
        return _cannot_move(number)
    tz = viewer_zone_name(request.args.get("tz"))
    cal = MonthView(tz, now)
    with run_service(commit=False) as ran:
        days, times = _move_offers(booking, cal, now)
    if not ran:
        return _back_to(number)

    def day_link(day):
        return url_for(".reschedule_booking", number=number, month=cal.key, date=day.isoformat(), tz=tz)

    return render_template("customer/reschedule.html", booking=booking, form=RescheduleForm(), tz=tz,
                           days=set(days), times=times, **cal.context(day_link))


@bp.route("/my/bookings/<number>/feedback", methods=["POST"])
@login_required
def leave_feedback(number: str):
    booking = _own(number)
    form = FeedbackForm()
    if not form.validate_on_submit():
        flash(_("Please choose a rating."), "error")
        return _back_to(number)
    with run_service() as ran:
        lifecycle.leave_feedback(booking, rating=int(form.rating.data), comment=form.comment.data or "",
                                 actor=current_user, now=utcnow())
    if ran:
        flash(_("Thank you for your feedback."), "success")
    return _back_to(number)
