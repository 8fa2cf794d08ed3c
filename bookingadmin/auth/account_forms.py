"""Forms of the password reset and the account page. Rules are judged by auth/account.py."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..core.forms import e164_phone, iana_time_zone, person_name


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120), person_name])
    phone = StringField(_l("Phone (with country code)"), validators=[e164_phone])
    language = SelectField(_l("Language"), choices=[("en", "English"), ("ar", "العربية")])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), iana_time_zone])
    email_reminders = BooleanField(_l("Email me reminders before each consultation"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])


class EmailChangeForm(FlaskForm):
    email = EmailField(_l("New email address"), validators=[DataRequired(), Email(), Length(max=254)])


class ConfirmForm(FlaskForm):
    """A button and its CSRF token."""
