"""Back office: the delivery log of every outbox job (with resend for emails), worker health, and
each staff member's opt-in.

Other workstreams embed two includes:
- templates/admin/notifications_panel.html in the booking detail (needs `booking` in the context);
- templates/admin/worker_health_panel.html on the dashboard (calls `worker_health()` itself).
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.actions import action
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..admin.base import PermissionMixin, SecuredModelView
from ..auth.permissions import has_permission
from ..core.clock import utcnow
from ..core.outbox import OutboxJob, kinds
from ..core.redirects import safe_next
from ..extensions import db
from .models import Notification
from .outbox import KIND as EMAIL_KIND

STATUS_BADGES = {"queued": "secondary", "sending": "info", "running": "info", "sent": "success",
                 "done": "success", "failed": "danger", "cancelled": "light"}


def _safe_next(default: str) -> str:
    return safe_next(request.form.get("next") or request.args.get("next")) or default


def _email_of(job_id: int) -> Notification:
    row = db.session.scalar(select(Notification).where(Notification.job_id == job_id))
    if row is None:
        abort(404)
    return row


def resend_email(job_id: int) -> Notification:
    """Resend the email of job `job_id` on behalf of the current staff member; commits."""
    from .outbox import resend

    copy = resend(_email_of(job_id), actor=current_user, now=utcnow())
    db.session.commit()
    return copy


def describe(job: OutboxJob) -> str:
    """What the job is about, in a few words (its kind's own description, when it has one)."""
    kind = kinds().get(job.kind)
    return kind.describe(job) if kind is not None and kind.describe is not None else ""


def _kind_label(job: OutboxJob) -> str:
    kind = kinds().get(job.kind)
    return kind.label if kind is not None else job.kind


class DeliveryLogView(SecuredModelView):
    """Every job of the one outbox (emails, receipt PDFs, Stripe calls): status, attempts, the last
    error. Emails can be resent from here or from the booking page."""

    model = OutboxJob
    permission = "notifications.resend"
    can_create = can_edit = can_delete = False
    can_view_details = True
    column_list = ("created_at", "booking", "kind", "about", "status", "attempts", "due_at", "finished_at",
                   "last_error")
    column_filters = ("status", "kind")
    column_searchable_list = ("kind", "key")
    column_default_sort = ("id", True)
    column_labels = {"kind": _l("What"), "about": _l("About"), "due_at": _l("Due"), "finished_at": _l("Finished"),
                     "last_error": _l("Error / note")}
    column_formatters = {
        "kind": lambda v, c, m, n: f"{_kind_label(m)} ({m.kind})",
        "about": lambda v, c, m, n: describe(m),
        "last_error": lambda v, c, m, n: (m.last_error or "")[:160],
    }
    column_details_exclude_list = ("payload",)

    @action("resend", _l("Resend emails"), _l("Send these emails again?"))
    def action_resend(self, ids):
        from .outbox import resend

        rows = db.session.scalars(select(Notification).where(Notification.job_id.in_([int(i) for i in ids])))
        sent = sum(1 for row in rows if resend(row, actor=current_user, now=utcnow()))
        db.session.commit()
        flash(f"{sent} email(s) queued again.", "success")

    @expose("/resend/<int:job_id>", methods=("POST",))
    def resend_view(self, job_id: int):
        copy = resend_email(job_id)
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
    admin.add_view(DeliveryLogView(db, name="Delivery log", category="Notifications", endpoint="notifications"))
    admin.add_view(WorkerHealthView(name="Worker health", category="Notifications", endpoint="worker_health",
                                    url="/admin/worker-health"))
    admin.add_view(MyNotificationsView(name="My emails", category="Notifications", endpoint="my_notifications",
                                       url="/admin/my-notifications"))


def jobs_for(booking) -> list[OutboxJob]:
    """The booking's outbox jobs of every kind, oldest first (the booking page's panel)."""
    if booking is None:
        return []
    return list(db.session.scalars(select(OutboxJob).where(OutboxJob.booking_id == booking.id)
                                   .order_by(OutboxJob.id)))


def register_template_helpers(app) -> None:
    from .health import worker_health

    def can_resend() -> bool:
        return has_permission(current_user, "notifications.resend")

    app.add_template_global(jobs_for, "outbox_jobs_for")
    app.add_template_global(describe, "outbox_job_about")
    app.add_template_global(EMAIL_KIND, "email_job_kind")
    app.add_template_global(worker_health, "worker_health")
    app.add_template_global(can_resend, "can_resend_notifications")
    app.add_template_global(STATUS_BADGES, "notification_badges")
