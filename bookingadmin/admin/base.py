"""Access control shared by every back-office view: each view states its permission; the policy answers.

The back office is for roles with `backoffice.access`; a view's `permission` narrows it further.
Pages show only what the viewer may use: templates ask `can(permission, obj)` and
`may_open(endpoint)` (is the view behind a link open to this viewer?), never the role.
"""
from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for
from flask_admin import BaseView
from flask_admin.contrib.sqla import ModelView
from flask_login import current_user

from ..auth.policy import allowed
from ..core.display import viewer_zone_name


class PermissionMixin:
    """`permission` guards the whole view; anonymous visitors go to the login page."""

    permission = "backoffice.access"

    def is_accessible(self) -> bool:
        return allowed(current_user, "backoffice.access") and allowed(current_user, self.permission)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)

    def render(self, template, **kwargs):
        kwargs.setdefault("viewer_zone", viewer_zone_name())  # every page names the zone of its times
        kwargs.setdefault("may_open", may_open)
        return super().render(template, **kwargs)

    def require(self, permission: str) -> None:
        """A second, stricter permission for one endpoint of the view (e.g. bookings.manage)."""
        if not allowed(current_user, permission):
            abort(403)


class SecuredModelView(PermissionMixin, ModelView):
    """A model view that also refuses to run an action the user lacks the permission for.

    `zoned_columns` are instants: shown on the viewer's clock, their header names the zone.
    """

    page_size = 20
    can_set_page_size = True
    can_view_details = True
    page_size_options = (20, 50, 100)
    zoned_columns: tuple[str, ...] = ()

    def __init__(self, db, **kwargs):
        super().__init__(self.model, db, **kwargs)

    def render(self, template, **kwargs):
        zone = viewer_zone_name()
        for key in ("list_columns", "details_columns"):
            if key in kwargs:
                kwargs[key] = [(c, f"{label} ({zone})" if c in self.zoned_columns else label)
                               for c, label in kwargs[key]]
        return super().render(template, **kwargs)


class SecuredView(PermissionMixin, BaseView):
    """A custom (non-model) back-office page."""


def may_open(endpoint: str) -> bool:
    """Whether the viewer may open the back-office view behind `endpoint` ("booking_money.detail").

    A link or button to a page the viewer would get a 403 on is not shown: this asks that view's
    own access rule, so the page and its links never disagree.
    """
    view_endpoint = endpoint.partition(".")[0]
    for admin in current_app.extensions.get("admin", []):
        for view in admin._views:
            if view.endpoint == view_endpoint:
                return view.is_accessible()
    return endpoint in current_app.view_functions
