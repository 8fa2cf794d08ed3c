"""Back office: each coach's calendar feed URL, with a button that makes a new secret."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from sqlalchemy import select

from ..admin.base import PermissionMixin
from ..auth.policy import scope_condition
from ..catalog.models import CoachProfile
from ..extensions import db
from .services import feed_url, regenerate_feed_token


def _visible_coaches():
    """The coaches whose bookings the viewer may see (a coach: their own profile)."""
    visible = scope_condition(current_user, "bookings.view", CoachProfile)
    return list(db.session.scalars(select(CoachProfile).where(visible).order_by(CoachProfile.display_name_en)))


class CalendarFeedsView(PermissionMixin, BaseView):
    permission = "bookings.view"

    @expose("/")
    def index(self):
        coaches = _visible_coaches()
        urls = {c.id: feed_url(c, create=False) for c in coaches}
        return self.render("admin/calendar_feeds.html", coaches=coaches, urls=urls)

    @expose("/<int:coach_id>/regenerate", methods=("POST",))
    def regenerate(self, coach_id: int):
        coach = next((c for c in _visible_coaches() if c.id == coach_id), None)
        if coach is None:
            abort(404)
        regenerate_feed_token(coach)
        db.session.commit()
        flash(f"New calendar feed URL for {coach.display_name_en}; the old one no longer works.", "success")
        return redirect(url_for(".index"))


def register_admin_views(admin) -> None:
    admin.add_view(CalendarFeedsView(name="Calendar feeds", endpoint="calendar_feeds", url="/admin/calendar-feeds"))
