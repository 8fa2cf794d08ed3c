"""Consultation types (with their duration/price options inline) and coach profiles."""
from __future__ import annotations

from flask_admin.model.form import InlineFormAdmin
from wtforms import SelectField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..auth.models import User
from ..auth.permissions import COACH_ROLES
from ..catalog.models import CATEGORIES, MEETING_MODES, SLOT_STEPS, CoachProfile, ConsultationType, DurationOption
from ..catalog.services import check_duration_options, unique_coach_slug
from ..core.errors import DomainError
from ..core.forms import CommaSeparatedListField, iana_time_zone
from ..core.money import CURRENCIES
from ..extensions import db
from .base import SecuredModelView


def _non_negative(label: str):
    return [InputRequired(), NumberRange(min=0, message=f"{label} cannot be negative")]


class DurationOptionInline(InlineFormAdmin):
    form_columns = ("id", "minutes", "price", "is_default")
    form_args = {
        "minutes": {"validators": [InputRequired(), NumberRange(min=1, message="Duration must be more than 0 minutes")]},
        "price": {"validators": _non_negative("Price")},
    }


class ConsultationTypeView(SecuredModelView):
    model = ConsultationType
    permission = "catalog.manage"
    can_delete = False  # bookings keep pointing at their type; deactivate instead
    column_list = ("number", "title_en", "title_ar", "category", "currency", "meeting_mode", "capacity",
                   "requires_approval", "is_active")
    column_searchable_list = ("title_en", "title_ar")
    column_filters = ("category", "currency", "meeting_mode", "is_active", "requires_approval")
    column_default_sort = "number"
    form_excluded_columns = ("created_at", "updated_at")
    inline_models = (DurationOptionInline(DurationOption),)
    form_overrides = {"category": SelectField, "currency": SelectField, "meeting_mode": SelectField,
                      "slot_step_minutes": SelectField, "features": CommaSeparatedListField}
    form_args = {
        "number": {"validators": [InputRequired(), NumberRange(min=1)]},
        "title_en": {"validators": [DataRequired(), Length(max=200)]},
        "title_ar": {"validators": [DataRequired(), Length(max=200)]},
        "category": {"choices": [(c, c.replace("_", " ").title()) for c in CATEGORIES]},
        "currency": {"choices": [(c, c) for c in CURRENCIES]},
        "meeting_mode": {"choices": [(m, m.replace("_", " ")) for m in MEETING_MODES]},
        "slot_step_minutes": {"choices": [(s, f"{s} min") for s in SLOT_STEPS], "coerce": int},
        "capacity": {"validators": [InputRequired(), NumberRange(min=1, message="Capacity must be at least 1")]},
        "max_bookings_per_day": {"validators": [Optional(), NumberRange(min=1)], "default": 5,
                                 "description": "Empty: no daily limit"},
        "buffer_before_minutes": {"validators": _non_negative("Buffer")},
        "buffer_after_minutes": {"validators": _non_negative("Buffer")},
        "min_notice_minutes": {"validators": _non_negative("Minimum notice")},
        "horizon_days": {"validators": [InputRequired(), NumberRange(min=1)]},
        "refund_full_hours": {"validators": _non_negative("Hours")},
        "refund_partial_hours": {"validators": _non_negative("Hours")},
        "refund_partial_percent": {"validators": [InputRequired(), NumberRange(min=0, max=100)]},
        "reschedule_min_hours": {"validators": _non_negative("Hours")},
        "features": {"description": "Comma-separated"},
    }

    def validate_form(self, form) -> bool:
        ok = super().validate_form(form)
        if not hasattr(form, "duration_options"):
            return ok
        options = [(e.form.minutes.data, e.form.price.data, e.form.is_default.data)
                   for e in form.duration_options.entries if not _marked_for_deletion(e)]
        try:
            check_duration_options(options)
        except DomainError as error:
            form.duration_options.errors = list(form.duration_options.errors or []) + [error.message]
            ok = False
        if hasattr(form, "refund_full_hours") and ok:
            if (form.refund_partial_hours.data or 0) > (form.refund_full_hours.data or 0):
                form.refund_partial_hours.errors = list(form.refund_partial_hours.errors) + [
                    "The partial-refund window must end after the full-refund window"]
                ok = False
        return ok


def _marked_for_deletion(entry) -> bool:
    return bool(getattr(entry, "should_delete", False)) or bool(getattr(entry.form, "_should_delete", False))


def _coach_users():
    return db.session.scalars(db.select(User).where(User.role.in_(COACH_ROLES)).order_by(User.name))


class CoachProfileView(SecuredModelView):
    model = CoachProfile
    permission = "catalog.manage"
    can_delete = False
    column_list = ("display_name_en", "display_name_ar", "title", "timezone", "rating", "review_count", "is_active")
    column_searchable_list = ("display_name_en", "display_name_ar", "slug")
    column_filters = ("is_active", "timezone")
    form_columns = ("user", "display_name_en", "display_name_ar", "slug", "title", "bio", "specialties",
                    "languages", "years_experience", "avatar_url", "timezone", "consultation_types", "is_active")
    form_overrides = {"specialties": CommaSeparatedListField, "languages": CommaSeparatedListField}
    form_args = {
        "user": {"query_factory": _coach_users, "validators": [DataRequired()]},
        "display_name_en": {"validators": [DataRequired(), Length(max=120)]},
        "slug": {"validators": [Optional(), Length(max=140)],
                 "description": "Left empty, it is made from the English name"},
        "years_experience": {"validators": [Optional(), NumberRange(min=0)]},
        "timezone": {"validators": [DataRequired(), iana_time_zone], "default": "Asia/Riyadh"},
        "specialties": {"description": "Comma-separated"},
        "languages": {"description": "Comma-separated, e.g. Arabic, English"},
    }

    def on_model_change(self, form, model: CoachProfile, is_created: bool) -> None:
        with db.session.no_autoflush:  # the new profile has no slug yet
            taken = db.session.scalar(db.select(CoachProfile.id).where(
                CoachProfile.slug == (model.slug or ""), CoachProfile.id != (model.id or 0)))
            if not model.slug or taken:
                model.slug = unique_coach_slug(model.slug or model.display_name_en, exclude_id=model.id)
