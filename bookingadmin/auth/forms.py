"""Login and registration forms. Field rules come from core.validation."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from ..core.validation import is_timezone, normalize_phone


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])


class RegistrationForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    phone = StringField("Phone (with country code)", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8, max=128)])
    language = SelectField("Language", choices=[("en", "English"), ("ar", "العربية")])
    timezone = StringField("Time zone", default="Asia/Riyadh", validators=[DataRequired()])

    def validate_phone(self, field):
        try:
            field.data = normalize_phone(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def validate_timezone(self, field):
        if not is_timezone(field.data):
            raise ValidationError("Choose a time zone such as Asia/Riyadh or Africa/Cairo")
