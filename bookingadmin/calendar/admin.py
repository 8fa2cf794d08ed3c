"""Back office: each coach's calendar feed, with a button that makes a new secret URL. Only the
secret's hash is stored, so the new URL is shown once, on the answer to that button."""
from __future__ import annotations

from flask import abort
from flask_admin import BaseView, expose
from flask_login import current_user
from sqlalchemy import select

from ..admin.base import PermissionMixin
from ..auth.policy import scope_condition
from ..catalog.models import CoachProfile
from ..extensions import db
from .services import feed_url, has_feed, regenerate_feed_token


def _visible_coaches():
    """The coaches whose bookings the viewer may see (a coach: their own profile)."""
    visible = scope_condition(current_user, "bookings.view", CoachProfile)
    return list(db.session.scalars(select(CoachProfile).where(visible).order_by(CoachProfile.display_name_en)))


class CalendarFeedsView(PermissionMixin, BaseView):
    permission = "bookings.view"

    @expose("/")
    def index(self):
        return self._page()

    def _page(self, new_url: tuple[int, str] | None = None):
        coaches = _visible_coaches()
        response = self.render("admin/calendar_feeds.html", coaches=coaches,
                               feeds={c.id: has_feed(c) for c in coaches}, new_url=new_url)
        return response, 200, {"Cache-Control": "no-store"}

    @expose("/<int:coach_id>/regenerate", methods=("POST",))
    def regenerate(self, coach_id: int):
        coach = next((c for c in _visible_coaches() if c.id == coach_id), None)
        if coach is None:
            abort(404)
        token = regenerate_feed_token(coach)
        db.session.commit()
        return self._page(new_url=(coach.id, feed_url(token)))  # shown once: not in a flash, not stored


def register_admin_views(admin) -> None:
    admin.add_view(CalendarFeedsView(name="Calendar feeds", endpoint="calendar_feeds", url="/admin/calendar-feeds"))
