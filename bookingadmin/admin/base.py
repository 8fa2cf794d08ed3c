"""Access control shared by every back-office view: one permission per view, checked by has_permission."""
from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_admin.contrib.sqla import ModelView
from flask_login import current_user

from ..auth.permissions import has_permission


class PermissionMixin:
    """`permission` guards the whole view; anonymous visitors go to the login page."""

    permission = "backoffice.access"

    def is_accessible(self) -> bool:
        return has_permission(current_user, self.permission)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)


class SecuredModelView(PermissionMixin, ModelView):
    """A model view that also refuses to run an action the user lacks the permission for."""

    page_size = 20
    can_set_page_size = True
    can_view_details = True

    def __init__(self, db, **kwargs):
        super().__init__(self.model, db, **kwargs)


class BackOfficeHome(PermissionMixin, AdminIndexView):
    """The back-office landing page; the dashboard fills it."""

    @expose("/")
    def index(self):
        return self.render("admin/home.html")
