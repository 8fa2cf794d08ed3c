"""Access control shared by every back-office view: one permission per view, checked by has_permission."""
from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_admin import BaseView
from flask_admin.contrib.sqla import ModelView
from flask_login import current_user

from ..auth.permissions import has_permission
from ..core.display import viewer_zone_name


class PermissionMixin:
    """`permission` guards the whole view; anonymous visitors go to the login page."""

    permission = "backoffice.access"

    def is_accessible(self) -> bool:
        return has_permission(current_user, self.permission)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)

    def render(self, template, **kwargs):
        kwargs.setdefault("viewer_zone", viewer_zone_name())  # every page names the zone of its times
        return super().render(template, **kwargs)

    def require(self, permission: str) -> None:
        """A second, stricter permission for one endpoint of the view (e.g. bookings.manage)."""
        if not has_permission(current_user, permission):
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
