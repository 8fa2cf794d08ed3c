"""The booking audit log: every BookingEvent, newest first, filterable by actor, action and date."""
from __future__ import annotations

from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask import url_for
from markupsafe import Markup
from sqlalchemy import select

from ..auth.models import User
from ..auth.permissions import STAFF_ROLES
from ..bookings.models import Booking, BookingEvent
from ..extensions import db
from .base import SecuredModelView
from .filters import ChoiceFilter, IntChoiceFilter, LocalDateBetweenFilter, LocalDateFromFilter, \
    LocalDateUntilFilter, RefreshFilterOptions
from .keyset import KeysetListMixin
from ..core.display import format_local

# The event actions of the booking lifecycle (CONTRACTS.md), plus whatever else is recorded later.
ACTIONS = ("created", "paid", "confirmed", "rejected", "rescheduled", "cancelled", "completed", "no_show",
           "feedback", "coach_changed", "meeting_updated", "notes_updated")


def _actor_options():
    rows = db.session.execute(select(User.id, User.name, User.role).where(User.role.in_(STAFF_ROLES))
                              .order_by(User.name)).all()
    return [(str(i), f"{name} ({role})") for i, name, role in rows]


class SystemActorFilter(BaseSQLAFilter):
    """Events recorded by the system (no person): expired holds, automatic steps."""

    def __init__(self, column, name):
        super().__init__(column, name, options=(("1", "yes"), ("0", "no")))

    def validate(self, value):
        return value in ("0", "1")

    def apply(self, query, value, alias=None):
        column = self.get_column(alias)
        return query.filter(column.is_(None) if value == "1" else column.is_not(None))

    def operation(self):
        return "is"


class BookingNumberFilter(BaseSQLAFilter):
    def apply(self, query, value, alias=None):
        booking = select(Booking.id).where(Booking.number == value.strip().upper()).scalar_subquery()
        return query.filter(self.get_column(alias) == booking)

    def operation(self):
        return "equals"


class AuditLogView(RefreshFilterOptions, KeysetListMixin, SecuredModelView):
    model = BookingEvent
    permission = "audit.view"
    can_create = can_edit = can_delete = False
    can_view_details = False
    named_filter_urls = True
    column_display_actions = False
    column_list = ("created_at", "booking", "actor", "actor_role", "action", "from_status", "to_status", "reason")
    column_labels = {"created_at": "When", "actor_role": "Role", "from_status": "From", "to_status": "To"}
    zoned_columns = ("created_at",)
    column_select_related_list = (BookingEvent.booking, BookingEvent.actor)
    keyset_columns = {"created_at": BookingEvent.created_at}
    column_default_sort = ("created_at", True)
    column_filters = (
        IntChoiceFilter(BookingEvent.actor_id, "Actor", options=_actor_options),
        SystemActorFilter(BookingEvent.actor_id, "By the system"),
        BookingNumberFilter(BookingEvent.booking_id, "Booking number"),
        ChoiceFilter(BookingEvent.action, "Action", options=tuple((a, a.replace("_", " ")) for a in ACTIONS)),
        LocalDateBetweenFilter(BookingEvent.created_at, "Date"),
        LocalDateFromFilter(BookingEvent.created_at, "Date"),
        LocalDateUntilFilter(BookingEvent.created_at, "Date"),
    )
    column_formatters = {
        "created_at": lambda v, c, m, n: format_local(m.created_at, "%Y-%m-%d %H:%M:%S"),
        "booking": lambda v, c, m, n: Markup('<a href="{}">{}</a>').format(
            url_for("bookings.details_view", id=m.booking_id), m.booking.number),
        "actor": lambda v, c, m, n: m.actor.name if m.actor else "System",
        "action": lambda v, c, m, n: (m.action or "").replace("_", " "),
    }
