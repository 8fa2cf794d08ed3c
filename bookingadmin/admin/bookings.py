"""Bookings in the back office: a fast list, a detail page, and buttons that call the lifecycle.

Configuration plus calls: the list is Flask-Admin with zone-aware filters and keyset paging; every
button posts to an endpoint that loads the booking through the viewer's scope, calls one function
of bookings.lifecycle / bookings.services and commits. Rules (which transition is allowed, for
whom, the refund) live in those modules: a DomainError they raise is shown as it is.
"""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

from flask import Response, abort, current_app, flash, redirect, request, stream_with_context, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.helpers import get_redirect_target
from flask_admin.contrib.sqla.filters import BooleanEqualFilter
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import or_, select

from ..auth.permissions import has_permission
from ..bookings.services import can_read_intake
from ..bookings.models import MEETING_TYPES, PAYMENT_STATUSES, SOURCES, STATUSES, Booking
from ..catalog.models import CoachProfile, ConsultationType
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.money import format_money
from ..core.spreadsheet import csv_writer
from ..extensions import db
from . import booking_forms as forms
from .access import visible_bookings
from .base import SecuredModelView
from .filters import ChoiceFilter, IntChoiceFilter, LocalDateBetweenFilter, LocalDateFromFilter, \
    LocalDateUntilFilter, PeriodFilter, RefreshFilterOptions
from .keyset import KeysetListMixin
from .zones import format_local, request_cache, viewer_zone, viewer_zone_name

STATUS_BADGES = {"pending_payment": "secondary", "pending_confirmation": "warning", "confirmed": "info",
                 "rescheduled": "primary", "completed": "success", "no_show": "dark", "cancelled": "danger"}
PAYMENT_BADGES = {"unpaid": "warning", "not_required": "light", "authorized": "info", "paid": "success",
                  "partially_refunded": "primary", "refunded": "secondary"}
BULK_ACTIONS = {"confirm": "Confirm", "complete": "Complete"}
BULK_DONE = {"confirm": "Confirmed", "complete": "Completed"}
LIST_BUTTONS = {"confirm": ("Confirm", "btn-success"), "complete": ("Complete", "btn-outline-success")}
RESCHEDULE_DAYS = 14


def _label(value: str | None) -> str:
    return (value or "").replace("_", " ")


def badge(value: str | None, colours: dict[str, str]) -> Markup:
    return Markup('<span class="badge badge-{}" data-status="{}">{}</span>').format(
        colours.get(value, "light"), value or "", _label(value))


def coach_names() -> dict[int, str]:
    """All coaches' names, once per request (a small table)."""
    cache = request_cache()
    if "coach_names" not in cache:
        cache["coach_names"] = dict(db.session.execute(
            select(CoachProfile.id, CoachProfile.display_name_en)).all())
    return cache["coach_names"]


def _coach_options():
    return [(str(i), name) for i, name in sorted(coach_names().items(), key=lambda item: item[1])]


def _type_options():
    rows = db.session.execute(select(ConsultationType.id, ConsultationType.title_en)
                              .order_by(ConsultationType.number))
    return [(str(i), title) for i, title in rows]


def _choices(values):
    return tuple((v, _label(v)) for v in values)


NUMBER_PATTERN = re.compile(r"^CB-\d{8}-[0-9A-Z]+$")


def search_condition(term: str):
    """One search word, matched the way each kind of value is looked for (and indexed):

    a whole booking number exactly; an email from its start (lowercase, prefix index), or a
    domain "@example.com" anywhere; digits in a phone number or a booking number; other words in
    the customer's name (trigram index) or at the start of their email.
    """
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if NUMBER_PATTERN.match(term.upper()):
        return Booking.number == term.upper()
    if "@" in term:
        if term.startswith("@"):
            return Booking.customer_email.like(f"%{escaped.lower()}%", escape="\\")
        return Booking.customer_email.like(f"{escaped.lower()}%", escape="\\")
    digits = re.sub(r"[\s\-()]", "", term)
    if re.fullmatch(r"\+?\d{3,}", digits):
        national = digits.lstrip("+").lstrip("0")  # 0555 123 456 finds +966555123456
        return or_(Booking.customer_phone.like(f"%{national}%"), Booking.number.like(f"%{digits}%"))
    return or_(Booking.customer_name.ilike(f"%{escaped}%", escape="\\"),
               Booking.customer_email.like(f"{escaped.lower()}%", escape="\\"),
               Booking.number.ilike(f"%{escaped}%", escape="\\"))


class BookingView(RefreshFilterOptions, KeysetListMixin, SecuredModelView):
    model = Booking
    permission = "bookings.view"
    can_create = can_edit = can_delete = False
    can_export = True
    export_types = ["csv"]
    export_max_rows = 200_000
    list_template = "admin/bookings/list.html"
    details_template = "admin/bookings/details.html"
    named_filter_urls = True
    column_auto_select_related = False
    column_display_actions = True
    column_list = ("number", "customer_name", "coach", "type_title_en", "starts_at", "duration_minutes", "status",
                   "payment_status", "amount")
    column_labels = {"number": "Number", "customer_name": "Customer", "coach": "Coach", "type_title_en": "Type",
                     "starts_at": "Start", "duration_minutes": "Minutes", "status": "Status",
                     "payment_status": "Payment", "amount": "Amount"}
    zoned_columns = ("starts_at",)
    keyset_columns = {"starts_at": Booking.starts_at, "number": Booking.number}
    column_default_sort = ("starts_at", True)
    column_searchable_list = ("number", "customer_name", "customer_email", "customer_phone")
    column_filters = (
        ChoiceFilter(Booking.status, "Status", options=_choices(STATUSES)),
        ChoiceFilter(Booking.payment_status, "Payment status", options=_choices(PAYMENT_STATUSES)),
        IntChoiceFilter(Booking.coach_id, "Coach", options=_coach_options),
        IntChoiceFilter(Booking.consultation_type_id, "Type", options=_type_options),
        PeriodFilter(Booking.starts_at, "When"),
        LocalDateBetweenFilter(Booking.starts_at, "Date"),
        LocalDateFromFilter(Booking.starts_at, "Date"),
        LocalDateUntilFilter(Booking.starts_at, "Date"),
        ChoiceFilter(Booking.meeting_type, "Meeting type", options=_choices(MEETING_TYPES)),
        ChoiceFilter(Booking.source, "Source", options=_choices(SOURCES)),
        BooleanEqualFilter(Booking.follow_up_required, "Follow-up"),
        LocalDateBetweenFilter(Booking.created_at, "Booked on"),
    )
    column_formatters = {
        "number": lambda v, c, m, n: Markup('<a href="{}">{}</a>').format(
            url_for(".details_view", id=m.id), m.number),
        "coach": lambda v, c, m, n: coach_names().get(m.coach_id, ""),
        "starts_at": lambda v, c, m, n: format_local(m.starts_at),
        "status": lambda v, c, m, n: badge(m.status, STATUS_BADGES),
        "payment_status": lambda v, c, m, n: badge(m.payment_status, PAYMENT_BADGES),
        "amount": lambda v, c, m, n: format_money(m.amount, m.currency),
    }
    export_columns = ("number", "customer_name", "customer_email", "customer_phone", "coach", "type_title_en",
                      "starts_at", "ends_at", "duration_minutes", "status", "payment_status", "amount", "currency",
                      "meeting_type", "source", "created_at")

    # ------------------------------------------------------------------ scope

    def get_query(self):
        visible = visible_bookings(current_user)
        query = super().get_query()
        return query if visible is None else query.filter(visible)

    def get_one(self, id):
        try:
            booking_id = int(id)
        except (TypeError, ValueError):
            return None
        return self.get_query().filter(Booking.id == booking_id).one_or_none()

    def _booking_or_404(self) -> Booking:
        booking = self.get_one(request.values.get("id"))
        if booking is None:
            abort(404)
        return booking

    def _apply_search(self, query, count_query, joins, count_joins, search):
        for term in search.split():
            query = query.filter(search_condition(term))
        return query, count_query, joins, count_joins

    def search_placeholder(self):
        return "Number, customer name, email or phone"

    # ------------------------------------------------------------------ list

    def can_manage(self) -> bool:
        return has_permission(current_user, "bookings.manage")

    def allowed(self, booking: Booking, now: datetime | None = None) -> set[str]:
        """The lifecycle's answer to "which buttons for this booking and this user".

        Plus "change_coach", asked of the booking service's own guard.
        """
        if not self.can_manage():
            return set()
        from ..bookings.lifecycle import allowed_actions
        from ..bookings.services import can_change_coach

        allowed = set(allowed_actions(booking, current_user, now or utcnow())) - {"feedback"}
        if can_change_coach(booking, current_user):
            allowed.add("change_coach")
        return allowed

    def list_buttons(self, booking: Booking) -> list[tuple[str, str, str]]:
        """Quick buttons in the list: those the lifecycle allows now (asked only where the state could)."""
        from ..bookings.lifecycle import TRANSITIONS, can

        cache = request_cache()
        if "list_actor" not in cache:
            cache["list_actor"] = current_user._get_current_object() if self.can_manage() else None
            cache["now"] = utcnow()
        actor, now = cache["list_actor"], cache["now"]
        if actor is None:
            return []
        return [(name, label, css) for name, (label, css) in LIST_BUTTONS.items()
                if booking.status in TRANSITIONS[name] and can(name, booking, actor, now)]

    def is_action_allowed(self, name):
        return self.can_manage() and super().is_action_allowed(name)

    @action("confirm", "Confirm", None)
    def action_confirm(self, ids):
        return self._bulk_review("confirm", ids)

    @action("complete", "Complete", None)
    def action_complete(self, ids):
        return self._bulk_review("complete", ids)

    def _bulk_bookings(self, ids) -> list[Booking]:
        numbers = [int(i) for i in ids if str(i).isdigit()][:500]
        return self.get_query().filter(Booking.id.in_(numbers)).order_by(Booking.starts_at, Booking.id).all()

    def _bulk_review(self, name: str, ids):
        self.require("bookings.manage")
        bookings = self._bulk_bookings(ids)
        now = utcnow()
        rows = [(b, name in self.allowed(b, now)) for b in bookings]
        return self.render("admin/bookings/bulk.html", action=name, action_label=BULK_ACTIONS[name], rows=rows,
                           form=forms.ActionForm(), return_url=request.form.get("url") or self.get_url(".index_view"))

    @expose("/bulk/<action_name>/", methods=("POST",))
    def bulk_apply(self, action_name: str):
        """The second step of a bulk action: apply it to each selected booking the lifecycle allows."""
        self.require("bookings.manage")
        if action_name not in BULK_ACTIONS or not forms.ActionForm().validate_on_submit():
            abort(400)
        from ..bookings import lifecycle

        name = action_name
        run = {"confirm": lifecycle.confirm, "complete": lifecycle.complete}[name]
        done, refused = [], []
        for booking in self._bulk_bookings(request.form.getlist("ids")):
            try:
                with db.session.begin_nested():
                    run(booking, actor=current_user, now=utcnow())
                done.append(booking.number)
            except DomainError as error:
                refused.append(f"{booking.number}: {error.message}")
        db.session.commit()
        if done:
            flash(f"{BULK_DONE[name]} {len(done)} booking(s): {', '.join(done)}", "success")
        for message in refused:
            flash(message, "error")
        return redirect(request.form.get("url") or self.get_url(".index_view"))

    # ------------------------------------------------------------------ export

    @expose("/export/<export_type>/")
    def export(self, export_type: str):
        """The filtered list as CSV, streamed (times in the viewer's zone, ISO 8601 with offset)."""
        if export_type != "csv":
            abort(404)
        view_args = self._get_list_extra_args()
        sort = self._get_column_by_idx(view_args.sort)
        _, query = self.get_list(None, sort[0] if sort else None, view_args.sort_desc, view_args.search,
                                 view_args.filters, execute=False)
        zone, names = viewer_zone(), coach_names()
        rows = query.limit(self.export_max_rows).yield_per(1000)
        header = [f"{c} ({viewer_zone_name()})" if c in ("starts_at", "ends_at", "created_at") else c
                  for c in self.export_columns]

        def value(booking: Booking, column: str):
            if column == "coach":
                return names.get(booking.coach_id, "")
            raw = getattr(booking, column)
            return raw.astimezone(zone).isoformat() if isinstance(raw, datetime) else raw

        def generate():
            buffer = io.StringIO()
            writer = csv_writer(buffer)  # formulas made inert
            writer.writerow(header)
            for booking in rows:
                writer.writerow([value(booking, c) for c in self.export_columns])
                if buffer.tell() > 64_000:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()

        filename = f"bookings-{date.today().isoformat()}.csv"
        return Response(stream_with_context(generate()), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={filename}"})

    # ------------------------------------------------------------------ detail

    @expose("/details/")
    def details_view(self):
        booking = self._booking_or_404()
        return self._render_details(booking)

    def _render_details(self, booking: Booking, **forms_in_error):
        now = utcnow()
        meeting = forms_in_error.get("meeting_form") or forms.MeetingForm(obj=booking, formdata=None)
        notes = forms_in_error.get("notes_form") or forms.NotesForm(obj=booking, formdata=None)
        return self.render(
            self.details_template, booking=booking, coach_name=coach_names().get(booking.coach_id, ""),
            allowed=self.allowed(booking, now), can_manage=self.can_manage(),
            intake=booking.intake if can_read_intake(current_user, booking) else None,
            can_view_intake=can_read_intake(current_user, booking),
            events=booking.events, status_badge=badge(booking.status, STATUS_BADGES),
            payment_badge=badge(booking.payment_status, PAYMENT_BADGES), meeting_form=meeting, notes_form=notes,
            action_form=forms.ActionForm(), confirm_form=forms.ConfirmForm(formdata=None),
            payments=_payments_panel(booking),
            can_view_customer=has_permission(current_user, "customers.view"),
            format_local=format_local, format_money=format_money, label=_label,
            return_url=request.args.get("url") or self.get_url(".index_view"))

    def _done(self, booking: Booking, message: str):
        """Commit, say so, and go back where the button was (the list passes its URL), else to the booking."""
        db.session.commit()
        flash(message, "success")
        return redirect(get_redirect_target() or self.get_url(".details_view", id=booking.id))

    def _refused(self, booking_id: int, error: DomainError):
        db.session.rollback()
        flash(error.message, "error")
        return redirect(self.get_url(".details_view", id=booking_id))

    def _simple(self, run, success: str, form_class=forms.ActionForm):
        self.require("bookings.manage")
        booking = self._booking_or_404()
        form = form_class()
        if not form.validate_on_submit():
            flash("The form expired; please try again.", "error")
            return redirect(self.get_url(".details_view", id=booking.id))
        try:
            run(booking, form)
        except DomainError as error:
            return self._refused(booking.id, error)
        return self._done(booking, success.format(number=booking.number))

    @expose("/confirm/", methods=("POST",))
    def confirm_view(self):
        from ..bookings.lifecycle import confirm

        return self._simple(lambda b, f: confirm(b, actor=current_user, now=utcnow(), reason=f.reason.data or None),
                            "Booking {number} is confirmed.", forms.ConfirmForm)

    @expose("/complete/", methods=("POST",))
    def complete_view(self):
        from ..bookings.lifecycle import complete

        return self._simple(lambda b, f: complete(b, actor=current_user, now=utcnow()),
                            "Booking {number} is completed.")

    @expose("/no_show/", methods=("POST",))
    def no_show_view(self):
        from ..bookings.lifecycle import mark_no_show

        return self._simple(lambda b, f: mark_no_show(b, actor=current_user, now=utcnow()),
                            "Booking {number} is marked as a no-show.")

    def _form_page(self, booking: Booking, form, title: str, action_endpoint: str, **context):
        return self.render("admin/bookings/action.html", booking=booking, form=form, title=title,
                           action_url=self.get_url(action_endpoint, id=booking.id), format_local=format_local,
                           format_money=format_money, coach_name=coach_names().get(booking.coach_id, ""),
                           **context)

    def _form_errors(self, form, error: DomainError) -> None:
        db.session.rollback()
        for name, message in error.fields.items():
            if name in form:
                form[name].errors = list(form[name].errors) + [message]
        flash(error.message, "error")

    @expose("/reject/", methods=("GET", "POST"))
    def reject_view(self):
        from ..bookings.lifecycle import reject

        self.require("bookings.manage")
        booking = self._booking_or_404()
        form = forms.ReasonForm()
        if form.validate_on_submit():
            try:
                reject(booking, actor=current_user, now=utcnow(), reason=form.reason.data.strip())
                return self._done(booking, f"Booking {booking.number} is rejected.")
            except DomainError as error:
                self._form_errors(form, error)
                booking = self._booking_or_404()
        return self._form_page(booking, form, "Reject booking", ".reject_view", submit="Reject",
                               danger=True)

    @expose("/cancel/", methods=("GET", "POST"))
    def cancel_view(self):
        """Shows the refund the policy gives now; cancels with a reason."""
        from ..bookings.lifecycle import cancel
        from ..bookings.policy import refund_for_cancellation

        self.require("bookings.manage")
        booking = self._booking_or_404()
        form = forms.CancelForm()
        if form.validate_on_submit():
            try:
                result = cancel(booking, actor=current_user, now=utcnow(), reason=form.reason.data.strip(),
                                by=form.requested_by.data)
                return self._done(booking, f"Booking {booking.number} is cancelled. Refund due: "
                                           f"{format_money(result.refund_amount, booking.currency)} "
                                           f"({result.refund_percent}%).")
            except DomainError as error:
                self._form_errors(form, error)
                booking = self._booking_or_404()
        now = utcnow()
        refunds = {by: refund_for_cancellation(booking, now, by=by) for by, _ in form.requested_by.choices}
        return self._form_page(booking, form, "Cancel booking", ".cancel_view", submit="Cancel booking",
                               danger=True, refunds=refunds)

    @expose("/reschedule/", methods=("GET", "POST"))
    def reschedule_view(self):
        """Pick among the coach's bookable times (availability decides which) for the next two weeks."""
        from ..availability.services import bookable_times
        from ..bookings.lifecycle import reschedule

        self.require("bookings.manage")
        booking = self._booking_or_404()
        now, zone = utcnow(), viewer_zone()
        try:
            start = date.fromisoformat(request.args.get("from", ""))
        except ValueError:
            start = now.astimezone(zone).date()
        end = start + timedelta(days=RESCHEDULE_DAYS - 1)
        form = forms.RescheduleForm()
        try:
            times = bookable_times(coach_id=booking.coach_id, consultation_type_id=booking.consultation_type_id,
                                   duration_minutes=booking.duration_minutes, start=start, end=end,
                                   viewer_tz=viewer_zone_name(), now=now, exclude_booking_id=booking.id)
        except DomainError as error:
            times = []
            flash(error.message, "error")
        form.starts_at.choices = [(_time_key(t), format_local(t.starts_at)) for t in times]
        if form.validate_on_submit():
            chosen = next((t for t in times if _time_key(t) == form.starts_at.data), None)
            if chosen is None:
                form.starts_at.errors = list(form.starts_at.errors) + ["This time is no longer offered; choose another"]
            else:
                try:
                    reschedule(booking, starts_at=chosen.starts_at, slot_id=getattr(chosen, "slot_id", None),
                               actor=current_user, now=now, reason=(form.reason.data or "").strip() or None)
                    return self._done(booking, f"Booking {booking.number} moved to "
                                               f"{format_local(chosen.starts_at)} ({viewer_zone_name()}).")
                except DomainError as error:
                    self._form_errors(form, error)
                    booking = self._booking_or_404()
        days: dict[date, list] = {}
        for t in times:
            days.setdefault(t.starts_at.astimezone(zone).date(), []).append(t)
        return self._form_page(booking, form, "Reschedule booking", ".reschedule_view", submit="Reschedule",
                               days=days, time_key=_time_key, range_start=start, range_end=end,
                               previous_from=(start - timedelta(days=RESCHEDULE_DAYS)).isoformat(),
                               next_from=(end + timedelta(days=1)).isoformat())

    @expose("/change_coach/", methods=("GET", "POST"))
    def change_coach_view(self):
        from ..bookings.services import change_coach

        self.require("bookings.manage")
        booking = self._booking_or_404()
        form = forms.ChangeCoachForm()
        coaches = db.session.execute(
            select(CoachProfile.id, CoachProfile.display_name_en)
            .where(CoachProfile.is_active, CoachProfile.id != booking.coach_id,
                   CoachProfile.consultation_types.any(ConsultationType.id == booking.consultation_type_id))
            .order_by(CoachProfile.display_name_en)).all()
        form.coach_id.choices = [(i, name) for i, name in coaches]
        if form.validate_on_submit():
            try:
                change_coach(booking, coach_id=form.coach_id.data, actor=current_user, now=utcnow(),
                             reason=(form.reason.data or "").strip() or None)
                return self._done(booking, f"Booking {booking.number} now goes to "
                                           f"{coach_names().get(form.coach_id.data, 'the new coach')}.")
            except DomainError as error:
                self._form_errors(form, error)
                booking = self._booking_or_404()
        return self._form_page(booking, form, "Change coach", ".change_coach_view", submit="Change coach")

    @expose("/meeting/", methods=("POST",))
    def meeting_view(self):
        from ..bookings.services import set_meeting_details

        self.require("bookings.manage")
        booking = self._booking_or_404()
        form = forms.MeetingForm()
        if form.validate_on_submit():
            try:
                set_meeting_details(booking, meeting_type=form.meeting_type.data,
                                    meeting_link=form.meeting_link.data or None,
                                    meeting_password=form.meeting_password.data or None,
                                    meeting_location=form.meeting_location.data or None,
                                    actor=current_user, now=utcnow())
                return self._done(booking, "Meeting details saved.")
            except DomainError as error:
                self._form_errors(form, error)
                booking = self._booking_or_404()
        return self._render_details(booking, meeting_form=form)

    @expose("/notes/", methods=("POST",))
    def notes_view(self):
        from ..bookings.services import update_staff_notes

        self.require("bookings.manage")
        booking = self._booking_or_404()
        form = forms.NotesForm()
        if form.validate_on_submit():
            try:
                update_staff_notes(booking, admin_notes=form.admin_notes.data or None,
                                   follow_up_required=form.follow_up_required.data,
                                   follow_up_notes=form.follow_up_notes.data or None,
                                   follow_up_date=form.follow_up_date.data, actor=current_user, now=utcnow())
                return self._done(booking, "Notes saved.")
            except DomainError as error:
                self._form_errors(form, error)
                booking = self._booking_or_404()
        return self._render_details(booking, notes_form=form)


def _time_key(bookable) -> str:
    slot = getattr(bookable, "slot_id", None)
    return f"{bookable.starts_at.isoformat()}|{slot or ''}"


def _payments_panel(booking: Booking) -> dict | None:
    """This booking's payment and refund rows when the payments module is installed (else None).

    Read as plain rows from its tables, so this page needs nothing else from that module; its own
    page (refund form, manual payments) is linked when it is mounted.
    """
    tables = db.metadata.tables
    if "payments" not in tables or "refunds" not in tables:
        return None
    payments, refunds = tables["payments"], tables["refunds"]
    endpoint = "booking_money.detail"
    return {
        "payments": db.session.execute(select(payments).where(payments.c.booking_id == booking.id)
                                       .order_by(payments.c.id)).mappings().all(),
        "refunds": db.session.execute(select(refunds).where(refunds.c.booking_id == booking.id)
                                      .order_by(refunds.c.id)).mappings().all(),
        "url": url_for(endpoint, number=booking.number) if endpoint in current_app.view_functions else None,
    }
