"""The booking detail page's buttons and the list's bulk actions, as a mixin of BookingView.

Each endpoint loads the booking through the viewer's scope, runs one function of
bookings.lifecycle / bookings.operations / bookings.services inside `run_service` (commit, or roll
back with the refusal on the form) and goes back. Which move is allowed, for whom, and the refund
are those modules' rules.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.helpers import get_redirect_target
from flask_login import current_user
from sqlalchemy import select

from ..bookings import lifecycle, operations
from ..bookings import services as booking_services
from ..bookings.models import Booking
from ..catalog.models import CoachProfile, ConsultationType
from ..core.clock import utcnow
from ..core.display import format_local, viewer_zone, viewer_zone_name
from ..core.money import format_money
from ..core.web import run_service
from ..extensions import db
from . import booking_forms as forms

BULK_ACTIONS = {"confirm": "Confirm", "complete": "Complete"}
BULK_DONE = {"confirm": "Confirmed", "complete": "Completed"}
BULK_MOVES = {"confirm": lifecycle.confirm, "complete": lifecycle.complete}
RESCHEDULE_DAYS = 14


def _time_key(bookable) -> str:
    slot = getattr(bookable, "slot_id", None)
    return f"{bookable.starts_at.isoformat()}|{slot or ''}"


def _reason(field) -> str | None:
    return (field.data or "").strip() or None


class BookingActionsMixin:
    """Needs from the view: require(), _booking_or_404(), _bulk_bookings(), allowed(), coach names."""

    # ------------------------------------------------------------------ bulk

    @action("confirm", "Confirm", None)
    def action_confirm(self, ids):
        return self._bulk_review("confirm", ids)

    @action("complete", "Complete", None)
    def action_complete(self, ids):
        return self._bulk_review("complete", ids)

    def _bulk_review(self, name: str, ids):
        self.require("bookings.manage")
        now = utcnow()
        rows = [(b, name in self.allowed(b, now)) for b in self._bulk_bookings(ids)]
        return self.render("admin/bookings/bulk.html", action=name, action_label=BULK_ACTIONS[name], rows=rows,
                           form=forms.ActionForm(), return_url=request.form.get("url") or self.get_url(".index_view"))

    @expose("/bulk/<action_name>/", methods=("POST",))
    def bulk_apply(self, action_name: str):
        """The second step of a bulk action: apply it to each selected booking the lifecycle allows."""
        self.require("bookings.manage")
        if action_name not in BULK_ACTIONS or not forms.ActionForm().validate_on_submit():
            abort(400)
        done, refused = [], []
        for booking in self._bulk_bookings(request.form.getlist("ids")):
            with run_service(savepoint=True, show=False) as ran:  # one refusal keeps the others
                BULK_MOVES[action_name](booking, actor=current_user, now=utcnow())
            if ran:
                done.append(booking.number)
            else:
                refused.append(f"{booking.number}: {ran.error.message}")
        db.session.commit()
        if done:
            flash(f"{BULK_DONE[action_name]} {len(done)} booking(s): {', '.join(done)}", "success")
        for message in refused:
            flash(message, "error")
        return redirect(request.form.get("url") or self.get_url(".index_view"))

    # ------------------------------------------------------------------ running one button

    def _done(self, booking: Booking, message: str):
        """Say so and go back where the button was (the list passes its URL), else to the booking."""
        flash(message, "success")
        return redirect(get_redirect_target() or self.get_url(".details_view", id=booking.id))

    def _run(self, booking: Booking, form, call: Callable, success: Callable[..., str]):
        """Run the service; on success the redirect, else None (the page shows the form with its errors)."""
        with run_service(form) as ran:
            result = call()
        return self._done(booking, success(result)) if ran else None

    def _details(self, booking: Booking):
        return redirect(self.get_url(".details_view", id=booking.id))

    def _simple(self, run, success: str, form_class=forms.ActionForm):
        self.require("bookings.manage")
        booking = self._booking_or_404()
        form = form_class()
        if not form.validate_on_submit():
            flash("The form expired; please try again.", "error")
            return self._details(booking)
        return self._run(booking, None, lambda: run(booking, form),
                         lambda _: success.format(number=booking.number)) or self._details(booking)

    def _form_page(self, booking: Booking, form, title: str, action_endpoint: str, **context):
        return self.render("admin/bookings/action.html", booking=booking, form=form, title=title,
                           action_url=self.get_url(action_endpoint, id=booking.id), format_local=format_local,
                           format_money=format_money, coach_name=self.coach_name(booking.coach_id), **context)

    # ------------------------------------------------------------------ status moves

    @expose("/confirm/", methods=("POST",))
    def confirm_view(self):
        return self._simple(lambda b, f: lifecycle.confirm(b, actor=current_user, now=utcnow(),
                                                           reason=_reason(f.reason)),
                            "Booking {number} is confirmed.", forms.ConfirmForm)

    @expose("/complete/", methods=("POST",))
    def complete_view(self):
        return self._simple(lambda b, f: lifecycle.complete(b, actor=current_user, now=utcnow()),
                            "Booking {number} is completed.")

    @expose("/no_show/", methods=("POST",))
    def no_show_view(self):
        return self._simple(lambda b, f: lifecycle.mark_no_show(b, actor=current_user, now=utcnow()),
                            "Booking {number} is marked as a no-show.")

    @expose("/reject/", methods=("GET", "POST"))
    def reject_view(self):
        """Turn the booking down; the customer gets back all they paid (bookings.operations)."""
        self.require("bookings.manage")
        booking = self._booking_or_404()
        form = forms.ReasonForm()
        if form.validate_on_submit():
            done = self._run(booking, form, lambda: operations.reject_booking(
                booking, actor=current_user, now=utcnow(), reason=form.reason.data.strip()),
                lambda _: f"Booking {booking.number} is rejected.")
            if done:
                return done
        return self._form_page(booking, form, "Reject booking", ".reject_view", submit="Reject", danger=True)

    @expose("/cancel/", methods=("GET", "POST"))
    def cancel_view(self):
        """Shows the refund the policy gives now; cancels with a reason and gives that refund."""
        self.require("bookings.manage")
        booking = self._booking_or_404()
        form = forms.CancelForm()
        if form.validate_on_submit():
            done = self._run(booking, form, lambda: operations.cancel_booking(
                booking, actor=current_user, now=utcnow(), reason=form.reason.data.strip(), by=form.requested_by.data),
                lambda result: f"Booking {booking.number} is cancelled. Refund due: "
                               f"{format_money(result.refund_amount, booking.currency)} ({result.refund_percent}%).")
            if done:
                return done
        now = utcnow()
        quotes = {by: operations.refund_quote(booking, now, by=by) for by, _ in form.requested_by.choices}
        return self._form_page(booking, form, "Cancel booking", ".cancel_view", submit="Cancel booking", danger=True,
                               refunds={by: (q.amount, q.percent) for by, q in quotes.items()})

    # ------------------------------------------------------------------ other changes

    @expose("/reschedule/", methods=("GET", "POST"))
    def reschedule_view(self):
        """Pick among the times the booking may move to (bookings.operations) over the next two weeks."""
        self.require("bookings.manage")
        booking = self._booking_or_404()
        now, start = utcnow(), self._range_start()
        times = self._move_times(booking, start, now)
        form = forms.RescheduleForm()
        form.starts_at.choices = [(_time_key(t), format_local(t.starts_at)) for t in times]
        chosen = self._chosen_time(form, times)
        if chosen is not None:
            done = self._run(booking, form, lambda: lifecycle.reschedule(
                booking, starts_at=chosen.starts_at, slot_id=getattr(chosen, "slot_id", None), actor=current_user,
                now=now, reason=_reason(form.reason)),
                lambda _: f"Booking {booking.number} moved to {format_local(chosen.starts_at)} ({viewer_zone_name()}).")
            if done:
                return done
        return self._form_page(booking, form, "Reschedule booking", ".reschedule_view", submit="Reschedule",
                               **_reschedule_calendar(times, start))

    def _range_start(self) -> date:
        try:
            return date.fromisoformat(request.args.get("from", ""))
        except ValueError:
            return utcnow().astimezone(viewer_zone()).date()

    def _move_times(self, booking: Booking, start: date, now) -> list:
        with run_service(commit=False) as ran:  # a refusal (e.g. the type was retired) is flashed
            times = operations.reschedule_times(booking, start=start, end=start + timedelta(days=RESCHEDULE_DAYS - 1),
                                                viewer_tz=viewer_zone_name(), now=now)
        return times if ran else []

    @staticmethod
    def _chosen_time(form, times: list):
        if not form.validate_on_submit():
            return None
        chosen = next((t for t in times if _time_key(t) == form.starts_at.data), None)
        if chosen is None:
            form.starts_at.errors = list(form.starts_at.errors) + ["This time is no longer offered; choose another"]
        return chosen

    @expose("/change_coach/", methods=("GET", "POST"))
    def change_coach_view(self):
        self.require("bookings.manage")
        booking = self._booking_or_404()
        form = forms.ChangeCoachForm()
        form.coach_id.choices = _other_coaches(booking)
        if form.validate_on_submit():
            done = self._run(booking, form, lambda: booking_services.change_coach(
                booking, coach_id=form.coach_id.data, actor=current_user, now=utcnow(), reason=_reason(form.reason)),
                lambda _: f"Booking {booking.number} now goes to "
                          f"{self.coach_name(form.coach_id.data) or 'the new coach'}.")
            if done:
                return done
        return self._form_page(booking, form, "Change coach", ".change_coach_view", submit="Change coach")

    @expose("/meeting/", methods=("POST",))
    def meeting_view(self):
        self.require("bookings.manage")
        booking = self._booking_or_404()
        form = forms.MeetingForm()
        if form.validate_on_submit():
            done = self._run(booking, form, lambda: booking_services.set_meeting_details(
                booking, meeting_type=form.meeting_type.data, meeting_link=form.meeting_link.data or None,
                meeting_password=form.meeting_password.data or None,
                meeting_location=form.meeting_location.data or None, actor=current_user, now=utcnow()),
                lambda _: "Meeting details saved.")
            if done:
                return done
        return self._render_details(booking, meeting_form=form)

    @expose("/notes/", methods=("POST",))
    def notes_view(self):
        self.require("bookings.manage")
        booking = self._booking_or_404()
        form = forms.NotesForm()
        if form.validate_on_submit():
            done = self._run(booking, form, lambda: booking_services.update_staff_notes(
                booking, admin_notes=form.admin_notes.data or None, follow_up_required=form.follow_up_required.data,
                follow_up_notes=form.follow_up_notes.data or None, follow_up_date=form.follow_up_date.data,
                actor=current_user, now=utcnow()),
                lambda _: "Notes saved.")
            if done:
                return done
        return self._render_details(booking, notes_form=form)


def _other_coaches(booking: Booking) -> list[tuple[int, str]]:
    """Active coaches offering the booking's type, other than its own (the service checks again)."""
    return [(i, name) for i, name in db.session.execute(
        select(CoachProfile.id, CoachProfile.display_name_en)
        .where(CoachProfile.is_active, CoachProfile.id != booking.coach_id,
               CoachProfile.consultation_types.any(ConsultationType.id == booking.consultation_type_id))
        .order_by(CoachProfile.display_name_en)).all()]


def _reschedule_calendar(times: list, start: date) -> dict:
    zone, end = viewer_zone(), start + timedelta(days=RESCHEDULE_DAYS - 1)
    days: dict[date, list] = {}
    for t in times:
        days.setdefault(t.starts_at.astimezone(zone).date(), []).append(t)
    return {"days": days, "time_key": _time_key, "range_start": start, "range_end": end,
            "previous_from": (start - timedelta(days=RESCHEDULE_DAYS)).isoformat(),
            "next_from": (end + timedelta(days=1)).isoformat()}
