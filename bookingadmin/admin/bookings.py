"""Bookings in the back office: a fast list, a detail page, and buttons that call the lifecycle.

Configuration plus calls: the list is Flask-Admin with zone-aware filters and keyset paging; every
button (booking_actions.py) posts to an endpoint that loads the booking through the viewer's scope,
calls one function of bookings.lifecycle / operations / services through core.web.run_service.
Rules (which transition is allowed, for whom, the refund) live in those modules.
"""
from __future__ import annotations

import io
import re
from datetime import date, datetime

from flask import Response, abort, current_app, request, stream_with_context, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import BooleanEqualFilter
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import or_, select

from ..auth.permissions import has_permission
from ..bookings.services import can_read_intake
from ..bookings.models import MEETING_TYPES, PAYMENT_STATUSES, SOURCES, STATUSES, Booking
from ..catalog.models import CoachProfile, ConsultationType
from ..core.clock import utcnow
from ..core.money import format_money
from ..core.spreadsheet import csv_writer
from ..extensions import db
from . import booking_forms as forms
from .booking_actions import BookingActionsMixin
from .access import visible_bookings
from .base import SecuredModelView
from .filters import ChoiceFilter, IntChoiceFilter, LocalDateBetweenFilter, LocalDateFromFilter, \
    LocalDateUntilFilter, PeriodFilter, RefreshFilterOptions
from .keyset import KeysetListMixin
from ..core.display import format_local, viewer_zone, viewer_zone_name
from .cache import request_cache

STATUS_BADGES = {"pending_payment": "secondary", "pending_confirmation": "warning", "confirmed": "info",
                 "rescheduled": "primary", "completed": "success", "no_show": "dark", "cancelled": "danger"}
PAYMENT_BADGES = {"unpaid": "warning", "not_required": "light", "authorized": "info", "paid": "success",
                  "partially_refunded": "primary", "refunded": "secondary"}
LIST_BUTTONS = {"confirm": ("Confirm", "btn-success"), "complete": ("Complete", "btn-outline-success")}


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


class BookingView(BookingActionsMixin, RefreshFilterOptions, KeysetListMixin, SecuredModelView):
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

    def _bulk_bookings(self, ids) -> list[Booking]:
        numbers = [int(i) for i in ids if str(i).isdigit()][:500]
        return self.get_query().filter(Booking.id.in_(numbers)).order_by(Booking.starts_at, Booking.id).all()

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
        rows = query.limit(self.export_max_rows).yield_per(1000)
        body = _csv_lines(rows, self.export_columns, viewer_zone(), viewer_zone_name(), coach_names())
        filename = f"bookings-{date.today().isoformat()}.csv"
        return Response(stream_with_context(body), mimetype="text/csv",
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

    def coach_name(self, coach_id: int) -> str:
        return coach_names().get(coach_id, "")


def _csv_lines(rows, columns, zone, zone_name: str, names: dict[int, str]):
    """The CSV in chunks of about 64 kB: times ISO 8601 in the viewer's zone, coaches by name."""
    def value(booking: Booking, column: str):
        if column == "coach":
            return names.get(booking.coach_id, "")
        raw = getattr(booking, column)
        return raw.astimezone(zone).isoformat() if isinstance(raw, datetime) else raw

    buffer = io.StringIO()
    writer = csv_writer(buffer)  # formulas made inert
    writer.writerow([f"{c} ({zone_name})" if c in ("starts_at", "ends_at", "created_at") else c for c in columns])
    for booking in rows:
        writer.writerow([value(booking, c) for c in columns])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


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
