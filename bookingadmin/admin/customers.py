"""Customers: their profile, their bookings, what they spent (per currency) and how many consultations."""
from __future__ import annotations

from collections import defaultdict

from flask import abort, request
from flask_admin import expose
from markupsafe import Markup
from sqlalchemy import case, func, select

from ..analytics.revenue import booking_revenue
from ..auth.models import User
from ..auth.permissions import CUSTOMER_ROLES
from ..bookings.models import Booking
from ..core.money import format_money
from ..extensions import db
from .base import SecuredModelView
from .bookings import PAYMENT_BADGES, STATUS_BADGES, badge, coach_names
from .filters import LocalDateBetweenFilter
from .keyset import KeysetListMixin
from ..core.display import format_local
from .cache import request_cache


def customer_stats(customer_ids: list[int]) -> dict[int, dict]:
    """Per customer: consultations (not cancelled), completed ones, and spent per currency (one query)."""
    if not customer_ids:
        return {}
    spent = booking_revenue()
    rows = db.session.execute(
        select(Booking.customer_id, Booking.currency, func.sum(case((Booking.status != "cancelled", 1), else_=0)),
               func.sum(case((Booking.status == "completed", 1), else_=0)), func.sum(spent))
        .where(Booking.customer_id.in_(customer_ids)).group_by(Booking.customer_id, Booking.currency)).all()
    stats: dict[int, dict] = defaultdict(lambda: {"consultations": 0, "completed": 0, "spent": {}})
    for customer_id, currency, booked, completed, total in rows:
        entry = stats[customer_id]
        entry["consultations"] += int(booked or 0)
        entry["completed"] += int(completed or 0)
        if total:
            entry["spent"][currency] = total
    return stats


def _stats(model: User) -> dict:
    return request_cache().get("customer_stats", {}).get(model.id) or {"consultations": 0, "completed": 0, "spent": {}}


def _spent(model: User) -> str:
    spent = _stats(model)["spent"]
    return ", ".join(format_money(v, c) for c, v in sorted(spent.items())) or "—"


class CustomerView(KeysetListMixin, SecuredModelView):
    model = User
    permission = "customers.view"
    can_create = can_edit = can_delete = False
    details_template = "admin/customers/details.html"
    named_filter_urls = True
    column_list = ("name", "email", "phone", "timezone", "language", "created_at", "consultations", "spent")
    column_labels = {"created_at": "Registered", "consultations": "Consultations", "spent": "Spent"}
    zoned_columns = ("created_at",)
    keyset_columns = {"created_at": User.created_at, "name": User.name}
    column_default_sort = ("created_at", True)
    column_searchable_list = ("name", "email", "phone")
    column_filters = (LocalDateBetweenFilter(User.created_at, "Registered"), "language", "active")
    column_formatters = {
        "name": lambda v, c, m, n: Markup('<a href="{}">{}</a>').format(v.get_url(".details_view", id=m.id), m.name),
        "created_at": lambda v, c, m, n: format_local(m.created_at, "%Y-%m-%d"),
        "consultations": lambda v, c, m, n: f"{_stats(m)['consultations']} ({_stats(m)['completed']} completed)",
        "spent": lambda v, c, m, n: _spent(m),
    }

    def get_query(self):
        return super().get_query().filter(User.role.in_(CUSTOMER_ROLES))

    def get_one(self, id):
        try:
            return self.get_query().filter(User.id == int(id)).one_or_none()
        except (TypeError, ValueError):
            return None

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        if kwargs.get("execute", True) and isinstance(rows, list):
            request_cache()["customer_stats"] = customer_stats([row.id for row in rows])
        return count, rows

    @expose("/details/")
    def details_view(self):
        customer = self.get_one(request.args.get("id"))
        if customer is None:
            abort(404)
        stats = customer_stats([customer.id]).get(customer.id) or {"consultations": 0, "completed": 0, "spent": {}}
        bookings = list(db.session.scalars(select(Booking).where(Booking.customer_id == customer.id)
                                           .order_by(Booking.starts_at.desc(), Booking.id.desc()).limit(100)))
        return self.render(self.details_template, customer=customer, stats=stats, bookings=bookings,
                           coach_names=coach_names(), format_local=format_local, format_money=format_money,
                           status_badge=lambda s: badge(s, STATUS_BADGES),
                           payment_badge=lambda s: badge(s, PAYMENT_BADGES),
                           return_url=request.args.get("url") or self.get_url(".index_view"))
