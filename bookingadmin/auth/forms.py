"""Login and registration forms. Field rules come from core.validation."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..core.forms import e164_phone, iana_time_zone, person_name


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class RegistrationForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120), person_name])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    phone = StringField(_l("Phone (with country code)"), validators=[DataRequired(), e164_phone])
    # Length and strength are judged by auth/passwords.py, with a message that says why.
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    language = SelectField(_l("Language"), choices=[("en", "English"), ("ar", "العربية")])
    timezone = StringField(_l("Time zone"), default="Asia/Riyadh", validators=[DataRequired(), iana_time_zone])
