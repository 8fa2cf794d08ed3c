"""Login and registration forms. Field rules come from core.validation."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..core.forms import e164_phone, iana_time_zone, person_name


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])


class RegistrationForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120), person_name])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    phone = StringField("Phone (with country code)", validators=[DataRequired(), e164_phone])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8, max=128)])
    language = SelectField("Language", choices=[("en", "English"), ("ar", "العربية")])
    timezone = StringField("Time zone", default="Asia/Riyadh", validators=[DataRequired(), iana_time_zone])
