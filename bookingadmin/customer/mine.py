"""The customer's own bookings: upcoming / past / cancelled, a booking's page, cancel (with the refund
the policy gives shown first), reschedule, feedback. The lifecycle decides what is allowed."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func

from ..availability import services as availability
from ..bookings import lifecycle, policy
from ..bookings.models import ACTIVE_STATUSES, Booking
from ..bookings.services import get_booking_for
from ..core.clock import utcnow
from ..core.display import viewer_zone_name
from ..core.errors import DomainError, NotFound
from ..extensions import db
from ..payments import services as payments
from .booking import _day_names, _month_of, _parse_day, _shift, _weeks
from .forms import CancelForm, FeedbackForm, RescheduleForm
from .catalog_pages import bp

PAGE_SIZE = 10
TABS = ("upcoming", "past", "cancelled")


def _own(number: str) -> Booking:
    try:
        return get_booking_for(current_user, number)
    except NotFound:
        abort(404)


def _mine_query(tab: str, now: datetime):
    query = db.select(Booking).where(Booking.customer_id == current_user.id)
    if tab == "cancelled":
        return query.where(Booking.status == "cancelled").order_by(Booking.starts_at.desc())
    if tab == "past":
        return query.where(Booking.status != "cancelled",
                           (Booking.ends_at < now) | Booking.status.in_(("completed", "no_show"))) \
            .order_by(Booking.starts_at.desc())
    return query.where(Booking.status.in_(ACTIVE_STATUSES), Booking.ends_at >= now).order_by(Booking.starts_at)


@bp.route("/my/bookings")
@login_required
def my_bookings():
    tab = request.args.get("tab") if request.args.get("tab") in TABS else "upcoming"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    now = utcnow()
    query = _mine_query(tab, now)
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


@bp.route("/my/bookings/<number>/cancel", methods=["GET", "POST"])
@login_required
def cancel_booking(number: str):
    """GET: what cancelling now gives back, in words; POST: cancel (the refund follows by itself)."""
    booking = _own(number)
    now = utcnow()
    if not lifecycle.can("cancel", booking, current_user, now):
        flash(_("This booking can no longer be cancelled online. Please contact us."), "error")
        return redirect(url_for(".my_booking", number=number))
    form = CancelForm()
    if form.validate_on_submit():
        try:
            lifecycle.cancel(booking, actor=current_user, now=now, by="customer",
                             reason=form.reason.data or "Cancelled by the customer")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for(".my_booking", number=number))
        db.session.commit()
        flash(_("Your booking is cancelled."), "success")
        return redirect(url_for(".my_booking", number=number))
    entitled, percent = policy.refund_for_cancellation(booking, now, by="customer")
    refund = payments.refund_preview(booking, entitled)
    return render_template("customer/cancel.html", booking=booking, form=form, refund=refund, percent=percent,
                           tz=viewer_zone_name(), summary=payments.money_summary(booking))


@bp.route("/my/bookings/<number>/reschedule", methods=["GET", "POST"])
@login_required
def reschedule_booking(number: str):
    """Choose a new bookable time with the same coach, type and duration."""
    booking = _own(number)
    now = utcnow()
    if not lifecycle.can("reschedule", booking, current_user, now):
        flash(_("This booking can no longer be moved online. Please contact us."), "error")
        return redirect(url_for(".my_booking", number=number))
    form = RescheduleForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                starts_at = datetime.fromisoformat(form.starts_at.data)
                lifecycle.reschedule(booking, starts_at=starts_at, actor=current_user, now=now,
                                     slot_id=form.slot_id.data, reason="Moved by the customer")
            except ValueError:
                flash(_("Please choose one of the offered times."), "error")
            except DomainError as error:
                db.session.rollback()
                flash(error.message, "error")
            else:
                db.session.commit()
                flash(_("Your booking was moved."), "success")
                return redirect(url_for(".my_booking", number=number))
        return redirect(url_for(".reschedule_booking", number=number))
    tz = viewer_zone_name(request.args.get("tz"))
    from zoneinfo import ZoneInfo

    today = now.astimezone(ZoneInfo(tz)).date()
    year, month = _month_of(request.args.get("month"), today)
    chosen_day = _parse_day(request.args.get("date"))
    common = dict(coach_id=booking.coach_id, consultation_type_id=booking.consultation_type_id,
                  duration_minutes=booking.duration_minutes, viewer_tz=tz, now=now)
    try:
        days = availability.available_dates(year=year, month=month, **common)
        times = (availability.bookable_times(start=chosen_day, end=chosen_day, exclude_booking_id=booking.id, **common)
                 if chosen_day else [])
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".my_booking", number=number))
    from babel.dates import get_month_names

    from .booking import _lang

    def day_link(day):
        return url_for(".reschedule_booking", number=number, month=f"{year:04d}-{month:02d}", date=day.isoformat(), tz=tz)

    return render_template("customer/reschedule.html", booking=booking, form=form, tz=tz, year=year, month=month,
                           day_link=day_link,
                           weeks=_weeks(year, month), days=set(days), chosen_day=chosen_day, times=times,
                           day_names=_day_names(), month_name=get_month_names("wide", locale=_lang())[month],
                           prev_month=_shift(year, month, -1), next_month=_shift(year, month, 1), today=today)


@bp.route("/my/bookings/<number>/feedback", methods=["POST"])
@login_required
def leave_feedback(number: str):
    booking = _own(number)
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            lifecycle.leave_feedback(booking, rating=int(form.rating.data), comment=form.comment.data or "",
                                     actor=current_user, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Thank you for your feedback."), "success")
    else:
        flash(_("Please choose a rating."), "error")
    return redirect(url_for(".my_booking", number=number))
