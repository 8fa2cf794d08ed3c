"""Forms behind the booking detail page's buttons. They check shapes; the services check rules."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional


class ActionForm(FlaskForm):
    """A button that needs no input (confirm, complete, no-show): the CSRF token only."""


class ConfirmForm(FlaskForm):
    reason = TextAreaField("Note (optional)", validators=[Optional(), Length(max=2000)])


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(message="Give a reason"), Length(max=2000)])


class CancelForm(ReasonForm):
    requested_by = SelectField("Cancelled at the request of",
                               choices=[("staff", "Us (staff)"), ("customer", "The customer")], default="staff")


class RescheduleForm(FlaskForm):
    starts_at = RadioField("New time", validators=[DataRequired(message="Choose a new time")], choices=[],
                           validate_choice=False)
    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=2000)])


class ChangeCoachForm(FlaskForm):
    coach_id = SelectField("New coach", coerce=int, validators=[DataRequired(message="Choose a coach")],
                           choices=[])
    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=2000)])


class MeetingForm(FlaskForm):
    meeting_type = SelectField("Meeting type", choices=[("online", "Online"), ("in_person", "In person")])
    meeting_link = StringField("Meeting link", validators=[
        Optional(), URL(require_tld=False, message="Enter a full link, e.g. https://meet.example.com/abc"),
        Length(max=500)])
    meeting_password = StringField("Meeting password", validators=[Optional(), Length(max=100)])
    meeting_location = StringField("Location (in person)", validators=[Optional(), Length(max=500)])


class NotesForm(FlaskForm):
    admin_notes = TextAreaField("Admin notes", validators=[Optional(), Length(max=10000)])
    follow_up_required = BooleanField("Follow-up needed")
    follow_up_notes = TextAreaField("Follow-up notes", validators=[Optional(), Length(max=5000)])
    follow_up_date = DateField("Follow-up date", validators=[Optional()])
