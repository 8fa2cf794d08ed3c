"""Back office: the delivery log (with resend), worker health, and each staff member's opt-in.

Other workstreams embed two includes:
- templates/admin/notifications_panel.html in the booking detail (needs `booking` in the context);
- templates/admin/worker_health_panel.html on the dashboard (calls `worker_health()` itself).
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.actions import action
from flask_login import current_user
from sqlalchemy import select

from ..admin.base import PermissionMixin, SecuredModelView
from ..auth.permissions import has_permission
from ..core.clock import utcnow
from ..core.redirects import safe_next
from ..extensions import db
from .models import Notification

STATUS_BADGES = {"queued": "secondary", "sending": "info", "sent": "success", "failed": "danger",
                 "cancelled": "light"}


def _safe_next(default: str) -> str:
    return safe_next(request.form.get("next") or request.args.get("next")) or default


def resend_notification(notification_id: int) -> Notification:
    """Resend one email on behalf of the current staff member; commits."""
    from .outbox import resend

    row = db.session.get(Notification, notification_id)
    if row is None or row.channel != "email":
        abort(404)
    copy = resend(row, actor=current_user, now=utcnow())
    db.session.commit()
    return copy


class NotificationView(SecuredModelView):
    """Every email and receipt job: status, attempts, the last error. Resend from here or the booking page."""

    model = Notification
    permission = "notifications.resend"
    can_create = can_edit = can_delete = False
    column_list = ("created_at", "booking", "kind", "recipient_email", "status", "attempts", "due_at", "sent_at",
                   "last_error")
    column_filters = ("status", "kind", "channel", "recipient_email")
    column_searchable_list = ("recipient_email", "kind")
    column_default_sort = ("id", True)
    column_labels = {"recipient_email": "Recipient", "due_at": "Due", "sent_at": "Sent", "last_error": "Error"}
    column_formatters = {"last_error": lambda v, c, m, n: (m.last_error or "")[:160]}
    column_details_exclude_list = ("payload",)

    @action("resend", "Resend", "Send these emails again?")
    def action_resend(self, ids):
        sent = 0
        for row in db.session.scalars(select(Notification).where(Notification.id.in_([int(i) for i in ids]),
                                                                  Notification.channel == "email")):
            from .outbox import resend

            resend(row, actor=current_user, now=utcnow())
            sent += 1
        db.session.commit()
        flash(f"{sent} email(s) queued again.", "success")

    @expose("/resend/<int:notification_id>", methods=("POST",))
    def resend_view(self, notification_id: int):
        copy = resend_notification(notification_id)
        flash(f"The email “{copy.kind}” to {copy.recipient_email} is queued again.", "success")
        return redirect(_safe_next(url_for(".index_view")))


class WorkerHealthView(PermissionMixin, BaseView):
    permission = "notifications.resend"

    @expose("/")
    def index(self):
        return self.render("admin/worker_health.html")


class MyNotificationsView(PermissionMixin, BaseView):
    """A staff member chooses whether to be emailed about new, cancelled and moved bookings."""

    permission = "backoffice.access"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        if request.method == "POST":
            current_user.notify_new_bookings = request.form.get("notify_new_bookings") == "on"
            db.session.commit()
            flash("Your email preferences are saved.", "success")
            return redirect(url_for(".index"))
        return self.render("admin/my_notifications.html")


def register_admin_views(admin) -> None:
    admin.add_view(NotificationView(db, name="Delivery log", category="Notifications", endpoint="notifications"))
    admin.add_view(WorkerHealthView(name="Worker health", category="Notifications", endpoint="worker_health",
                                    url="/admin/worker-health"))
    admin.add_view(MyNotificationsView(name="My emails", category="Notifications", endpoint="my_notifications",
                                       url="/admin/my-notifications"))


def notifications_for(booking) -> list[Notification]:
    if booking is None:
        return []
    return list(db.session.scalars(select(Notification).where(Notification.booking_id == booking.id)
                                   .order_by(Notification.id)))


def register_template_helpers(app) -> None:
    from .health import worker_health

    def can_resend() -> bool:
        return has_permission(current_user, "notifications.resend")

    app.add_template_global(notifications_for, "notifications_for")
    app.add_template_global(worker_health, "worker_health")
    app.add_template_global(can_resend, "can_resend_notifications")
    app.add_template_global(STATUS_BADGES, "notification_badges")
