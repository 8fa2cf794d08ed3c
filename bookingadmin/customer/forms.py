"""Customer booking forms. Labels are lazy translations; rules live in core.validation and the services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, EmailField, HiddenField, IntegerField, SelectField, \
    StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from ..auth.models import FITNESS_LEVELS, GENDERS
from ..core.forms import e164_phone, iana_time_zone, person_name

GENDER_LABELS = {"male": _l("Male"), "female": _l("Female")}
FITNESS_LABELS = {"beginner": _l("Beginner"), "intermediate": _l("Intermediate"), "advanced": _l("Advanced")}


class ChooseTimeForm(FlaskForm):
    """The time picked on the calendar page; the server checks it is still bookable."""

    coach_id = IntegerField(validators=[InputRequired()])
    duration = IntegerField(validators=[InputRequired()])
    meeting_type = StringField(validators=[DataRequired()])
    starts_at = StringField(validators=[DataRequired()])  # ISO 8601, UTC
    slot_id = IntegerField(validators=[Optional()])
    tz = StringField(validators=[DataRequired(), iana_time_zone])


class DetailsForm(FlaskForm):
    """Contact details, the intake form and an optional alternative time."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120), person_name])
    # Shown to the coach; booking emails go to the account's own address (notifications.recipients).
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)],
                       description=_l("Booking confirmations, reminders and receipts are sent to your account's "
                                      "email address."))
    phone = StringField(_l("Phone (with country code)"), validators=[DataRequired(), e164_phone])
    save_to_profile = BooleanField(_l("Save these details to my profile"))
    age = IntegerField(_l("Age"), validators=[Optional(), NumberRange(min=5, max=120)])
    gender = SelectField(_l("Gender"), choices=[("", "—")] + [(g, GENDER_LABELS[g]) for g in GENDERS],
                         validators=[Optional()])
    weight_kg = DecimalField(_l("Weight (kg)"), places=1, validators=[Optional(), NumberRange(min=20, max=400)])
    height_cm = DecimalField(_l("Height (cm)"), places=0, validators=[Optional(), NumberRange(min=80, max=250)])
    fitness_level = SelectField(_l("Fitness level"),
                                choices=[("", "—")] + [(f, FITNESS_LABELS[f]) for f in FITNESS_LEVELS],
                                validators=[Optional()])
    medical_conditions = TextAreaField(_l("Medical conditions or injuries"), validators=[Optional(), Length(max=2000)])
    current_activity = TextAreaField(_l("Current activity"), validators=[Optional(), Length(max=2000)])
    goals = TextAreaField(_l("Goals"), validators=[Optional(), Length(max=2000)])
    notes = TextAreaField(_l("Anything else the coach should know"), validators=[Optional(), Length(max=2000)])
    alternative_date = DateField(_l("Alternative date"), validators=[Optional()])
    alternative_time = TimeField(_l("Alternative time"), validators=[Optional()])
    nonce = HiddenField()

    def validate_alternative_time(self, field):
        if bool(field.data) != bool(self.alternative_date.data):
            raise ValidationError(_l("Give both a date and a time for the alternative, or neither"))

    INTAKE_FIELDS = ("age", "gender", "weight_kg", "height_cm", "fitness_level", "medical_conditions",
                     "current_activity", "goals", "notes")

    def intake(self) -> dict:
        values = {}
        for name in self.INTAKE_FIELDS:
            value = getattr(self, name).data
            if value not in (None, ""):
                values[name] = str(value) if not isinstance(value, (int, str)) else value
        return values


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Why are you cancelling? (optional)"), validators=[Optional(), Length(max=1000)])


class FeedbackForm(FlaskForm):
    rating = SelectField(_l("Rating"), choices=[(str(n), "★" * n) for n in range(5, 0, -1)],
                         validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class RescheduleForm(FlaskForm):
    starts_at = StringField(validators=[DataRequired()])
    slot_id = IntegerField(validators=[Optional()])
