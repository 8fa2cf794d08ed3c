"""User accounts in the back office (admins only)."""
from __future__ import annotations

from wtforms import PasswordField, SelectField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..auth.models import FITNESS_LEVELS, GENDERS, User, find_user_by_email
from ..auth.permissions import ROLES
from ..auth.passwords import password_problem
from ..core.forms import e164_phone, iana_time_zone, person_name
from .base import SecuredModelView


def _unique_email(form, field):
    existing = find_user_by_email(field.data or "")
    editing_id = getattr(form, "_obj_id", None)
    if existing is not None and existing.id != editing_id:
        raise ValidationError("Another account already uses this email")


class UserView(SecuredModelView):
    model = User
    permission = "users.manage"
    can_delete = False  # deactivate instead: bookings and audit rows point at users
    column_list = ("name", "email", "role", "phone", "language", "timezone", "active", "created_at")
    column_searchable_list = ("name", "email", "phone")
    column_filters = ("role", "active", "language")
    column_default_sort = ("created_at", True)
    column_exclude_list = ("password_hash",)
    column_details_exclude_list = ("password_hash",)
    form_columns = ("name", "email", "phone", "role", "language", "timezone", "active", "gender",
                    "date_of_birth", "fitness_level", "goals", "new_password")
    form_extra_fields = {"new_password": PasswordField("Password")}
    form_overrides = {"role": SelectField, "language": SelectField, "gender": SelectField,
                      "fitness_level": SelectField}
    form_args = {
        "email": {"validators": [DataRequired(), Email(), Length(max=254), _unique_email]},
        "name": {"validators": [DataRequired(), Length(max=120), person_name]},
        "phone": {"validators": [Optional(), e164_phone]},
        "timezone": {"validators": [DataRequired(), iana_time_zone], "default": "Asia/Riyadh"},
        "role": {"choices": [(r, r.title()) for r in ROLES]},
        "language": {"choices": [("en", "English"), ("ar", "العربية")]},
        "gender": {"choices": [("", "—")] + [(g, g.title()) for g in GENDERS],
                   "validators": [Optional()]},
        "fitness_level": {"choices": [("", "—")] + [(f, f.title()) for f in FITNESS_LEVELS],
                          "validators": [Optional()]},
    }

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        form._obj_id = obj.id if obj is not None else None
        return form

    def validate_form(self, form) -> bool:
        ok = super().validate_form(form)
        password = getattr(form, "new_password", None)
        if password is None:
            return ok
        creating = getattr(form, "_obj_id", None) is None
        problem = password_problem(password.data, personal=(form.email.data or "", form.name.data or "")) \
            if (creating or password.data) else None
        if problem:
            password.errors = list(password.errors) + [problem]
            return False
        return ok

    def on_model_change(self, form, model: User, is_created: bool) -> None:
        model.gender = model.gender or None
        model.fitness_level = model.fitness_level or None
        if form.new_password.data:
            model.set_password(form.new_password.data)
