"""The back office's landing page at /admin: what needs attention today.

Everyone on staff sees the schedule, the week ahead, pending confirmations and expiring holds
(a coach: their own); revenue and popular types need analytics.view.
"""
from __future__ import annotations

from datetime import timedelta

from flask_admin import AdminIndexView, expose
from flask_login import current_user

from ..analytics import dashboard as queries
from ..analytics.revenue import revenue_note
from ..auth.permissions import has_permission
from ..core.clock import utcnow
from ..core.money import format_money
from .access import visible_bookings
from .base import PermissionMixin
from .bookings import STATUS_BADGES, badge, coach_names
from ..core.clock import local_today
from ..core.display import format_local, viewer_zone


class BackOfficeHome(PermissionMixin, AdminIndexView):
    permission = "backoffice.access"

    @expose("/")
    def index(self):
        now, zone = utcnow(), viewer_zone()
        today = local_today(now, zone)
        visible = visible_bookings(current_user)
        can_see_bookings = has_permission(current_user, "bookings.view")
        context = {"today": today, "now": now, "can_see_bookings": can_see_bookings,
                   "can_see_money": has_permission(current_user, "analytics.view")}
        if can_see_bookings:
            pending_count, pending = queries.pending_confirmations(visible)
            context.update(
                schedule=queries.schedule(visible, today, today, zone),
                week=queries.days_ahead(visible, today, zone),
                upcoming=queries.schedule(visible, today + timedelta(days=1), today + timedelta(days=7), zone,
                                          limit=10),
                pending=pending, pending_count=pending_count,
                holds=queries.expiring_holds(visible, now))
        if context["can_see_money"]:
            context.update(revenue=queries.month_revenue(visible, today, zone), revenue_note=revenue_note(),
                           popular=queries.popular_types(visible, today, zone))
        return self.render("admin/home.html", format_local=format_local, format_money=format_money,
                           coach_names=coach_names(), status_badge=lambda s: badge(s, STATUS_BADGES), **context)
