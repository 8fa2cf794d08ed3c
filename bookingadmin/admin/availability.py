"""The availability editor: weekly hours, date overrides and blocked ranges, slots (one or in bulk).

Every change goes through bookingadmin.availability.services, which checks who may edit which coach,
validates the times and records the change; a refusal comes back as a message on the form.
"""
from __future__ import annotations

import re
from datetime import time, timedelta

from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from ..availability import services
from ..availability.editing import clock
from ..availability.engine import WeeklyInterval
from ..availability.models import DateOverride, WeeklyHours
from ..catalog.models import CoachProfile
from ..core.clock import utcnow
from ..core.web import run_service
from ..extensions import db
from .base import SecuredView
from ..core.display import format_local

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
LOOK_AHEAD_DAYS = 60


def parse_intervals(text: str) -> list[tuple[time, time]]:
    """"09:00-13:00, 14:00-24:00" → [(09:00, 13:00), (14:00, 00:00)] (the services check the order).

    An end of 24:00 is midnight at the end of the day, stored as 00:00 (the engine's rule).
    """
    intervals = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        match = _INTERVAL.match(part)
        if not match:
            raise ValueError(f"“{part}” is not a time range such as 09:00-13:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if (h2, m2) == (24, 0):
            h2 = 0
        if h1 > 23 or m1 > 59 or h2 > 23 or m2 > 59:
            raise ValueError(f"“{part}” is not a time of day")
        intervals.append((time(h1, m1), time(h2, m2)))
    return intervals


def _format_intervals(pairs) -> str:
    return ", ".join(f"{clock(start)}-{clock(end, end=True)}" for start, end in pairs)


class IntervalsField(StringField):
    def pre_validate(self, form):
        try:
            parse_intervals(self.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class WeeklyForm(FlaskForm):
    pass


for _index, _name in enumerate(WEEKDAYS):
    setattr(WeeklyForm, f"day{_index}", IntervalsField(_name, validators=[Optional()]))


class OverrideForm(FlaskForm):
    day = DateField("Date", validators=[InputRequired(message="Choose a date")])
    hours = IntervalsField("Hours (empty: closed all day)", validators=[Optional()])
    reason = StringField("Reason", validators=[Optional()])


class BlockForm(FlaskForm):
    start = DateField("From", validators=[InputRequired(message="Choose the first date")])
    end = DateField("To", validators=[InputRequired(message="Choose the last date")])
    reason = StringField("Reason", validators=[Optional()])


class SlotForm(FlaskForm):
    day = DateField("Date", validators=[InputRequired(message="Choose a date")])
    start_time = TimeField("Start", validators=[InputRequired(message="Choose a start time")])
    end_time = TimeField("End", validators=[InputRequired(message="Choose an end time")])
    capacity = IntegerField("Seats", default=1, validators=[InputRequired(), NumberRange(min=1, message="At least 1 seat")])
    consultation_type_id = SelectField("For type", coerce=int, default=0)


class BulkSlotsForm(FlaskForm):
    weekdays = SelectMultipleField("Weekdays", coerce=int, choices=list(enumerate(WEEKDAYS)),
                                   validators=[DataRequired(message="Choose at least one weekday")])
    start_date = DateField("From", validators=[InputRequired(message="Choose the first date")])
    end_date = DateField("To", validators=[InputRequired(message="Choose the last date")])
    start_time = TimeField("Start", validators=[InputRequired(message="Choose a start time")])
    end_time = TimeField("End", validators=[InputRequired(message="Choose an end time")])
    capacity = IntegerField("Seats", default=1, validators=[InputRequired(), NumberRange(min=1, message="At least 1 seat")])
    consultation_type_id = SelectField("For type", coerce=int, default=0)


class SlotActionForm(FlaskForm):
    slot_id = IntegerField(validators=[InputRequired()])
    is_active = BooleanField()


class ClearOverrideForm(FlaskForm):
    day = DateField(validators=[InputRequired()])


class AvailabilityView(SecuredView):
    permission = "availability.manage"

    # ------------------------------------------------------------------ which coach

    def _editable_coaches(self) -> list[CoachProfile]:
        coaches = db.session.scalars(select(CoachProfile).order_by(CoachProfile.display_name_en))
        return [c for c in coaches if services.can_manage_availability(current_user, c)]

    def _coach(self) -> tuple[CoachProfile, list[CoachProfile]]:
        """The coach being edited (?coach=), which must be one this user may edit: 404 otherwise."""
        coaches = self._editable_coaches()
        asked = request.values.get("coach", type=int)
        if asked is None:
            if not coaches:
                abort(404)
            return coaches[0], coaches
        coach = next((c for c in coaches if c.id == asked), None)
        if coach is None:
            abort(404)
        return coach, coaches

    def _back(self, coach: CoachProfile):
        return redirect(self.get_url(".index", coach=coach.id) + (request.form.get("anchor") or ""))

    def _submit(self, coach: CoachProfile, coaches: list[CoachProfile], slot: str, form, call, fields=None):
        """A form's POST: run `call` for a valid form. Returns (its result, None), or (None, the page
        again with the form in error) when the form or the service refused."""
        if form.validate_on_submit():
            with run_service(form, fields=fields) as ran:
                result = call()
            if ran:
                return result, None
        return None, self._page(coach, coaches, **{slot: form})

    def _button(self, form, call) -> tuple[bool, object]:
        """A button's POST (a forged or stale form is a 400): (whether the service ran, its result)."""
        if not form.validate_on_submit():
            abort(400)
        result = None
        with run_service() as ran:
            result = call()
        return bool(ran), result

    def _type_choices(self, coach: CoachProfile) -> list[tuple[int, str]]:
        return [(0, "Any type")] + [(t.id, t.title_en) for t in sorted(coach.consultation_types, key=lambda t: t.number)]

    # ------------------------------------------------------------------ page

    @expose("/")
    def index(self):
        coach, coaches = self._coach()
        return self._page(coach, coaches)

    def _page(self, coach: CoachProfile, coaches: list[CoachProfile], **forms_in_error):
        now = utcnow()
        weekly_rows = list(db.session.scalars(select(WeeklyHours).where(WeeklyHours.coach_id == coach.id)
                                              .order_by(WeeklyHours.weekday, WeeklyHours.start_time)))
        weekly = forms_in_error.get("weekly_form") or self._weekly_form(weekly_rows)
        restricted = [w for w in weekly_rows if w.consultation_type_ids is not None]
        local_today = now.astimezone(_zone(coach)).date()
        overrides = list(db.session.scalars(
            select(DateOverride).where(DateOverride.coach_id == coach.id, DateOverride.day >= local_today)
            .order_by(DateOverride.day, DateOverride.start_time)))
        slots = services.list_slots(coach.id, local_today, local_today + timedelta(days=LOOK_AHEAD_DAYS),
                                    actor=current_user, now=now)
        slot_form = forms_in_error.get("slot_form") or SlotForm(formdata=None)
        bulk_form = forms_in_error.get("bulk_form") or BulkSlotsForm(formdata=None)
        for form in (slot_form, bulk_form):
            form.consultation_type_id.choices = self._type_choices(coach)
        titles = {t.id: t.title_en for t in coach.consultation_types}
        return self.render("admin/availability.html", coach=coach, coaches=coaches, weekly_form=weekly,
                           restricted=restricted, overrides=overrides, slots=slots, titles=titles,
                           override_form=forms_in_error.get("override_form") or OverrideForm(formdata=None),
                           block_form=forms_in_error.get("block_form") or BlockForm(formdata=None),
                           slot_form=slot_form, bulk_form=bulk_form, action_form=SlotActionForm(formdata=None),
                           weekdays=WEEKDAYS, look_ahead=LOOK_AHEAD_DAYS, format_intervals=_format_intervals,
                           format_local=format_local, coach_today=local_today)

    def _weekly_form(self, rows: list[WeeklyHours]) -> WeeklyForm:
        form = WeeklyForm(formdata=None)
        for index in range(7):
            pairs = [(r.start_time, r.end_time) for r in rows if r.weekday == index and r.consultation_type_ids is None]
            getattr(form, f"day{index}").data = _format_intervals(pairs)
        return form

    # ------------------------------------------------------------------ weekly hours

    @expose("/weekly", methods=("POST",))
    def weekly(self):
        coach, coaches = self._coach()
        form = WeeklyForm()
        if not form.validate_on_submit():
            flash("Please correct the highlighted weekdays.", "error")
            return self._page(coach, coaches, weekly_form=form)
        intervals, owners = _weekly_intervals(coach, form)
        with run_service(form, fields=lambda name: _owner(name, owners)) as ran:
            services.replace_weekly_hours(coach.id, intervals, actor=current_user, now=utcnow())
        if not ran:
            return self._page(coach, coaches, weekly_form=form)
        flash("Weekly hours saved.", "success")
        return self._back(coach)

    # ------------------------------------------------------------------ overrides and blocks

    @expose("/override", methods=("POST",))
    def override(self):
        coach, coaches = self._coach()
        form = OverrideForm()
        _, page = self._submit(coach, coaches, "override_form", form, lambda: services.set_date_override(
            coach.id, form.day.data, parse_intervals(form.hours.data), reason=form.reason.data or "",
            actor=current_user, now=utcnow()), fields=lambda name: "hours" if name.startswith("hours") else name)
        if page is not None:
            return page
        flash(f"{form.day.data.isoformat()}: " + ("custom hours saved." if form.hours.data else "closed all day."),
              "success")
        return self._back(coach)

    @expose("/override/clear", methods=("POST",))
    def clear_override(self):
        coach, _ = self._coach()
        form = ClearOverrideForm()
        ran, _ = self._button(form, lambda: services.clear_date_override(coach.id, form.day.data,
                                                                         actor=current_user, now=utcnow()))
        if ran:
            flash(f"{form.day.data.isoformat()} follows the weekly hours again.", "success")
        return self._back(coach)

    @expose("/block", methods=("POST",))
    def block(self):
        coach, coaches = self._coach()
        form = BlockForm()
        result, page = self._submit(coach, coaches, "block_form", form, lambda: services.block_dates(
            coach.id, form.start.data, form.end.data, form.reason.data or "", actor=current_user, now=utcnow()))
        if page is not None:
            return page
        flash(f"Blocked {result.days} date(s).", "success")
        if result.affected_booking_ids:
            flash(f"{len(result.affected_booking_ids)} booking(s) already fall on these dates: cancel or move them.",
                  "warning")
        return self._back(coach)

    # ------------------------------------------------------------------ slots

    @expose("/slot", methods=("POST",))
    def slot(self):
        coach, coaches = self._coach()
        form = SlotForm()
        form.consultation_type_id.choices = self._type_choices(coach)
        _, page = self._submit(coach, coaches, "slot_form", form, lambda: services.create_slot(
            coach.id, day=form.day.data, start_time=form.start_time.data, end_time=form.end_time.data,
            capacity=form.capacity.data, consultation_type_id=form.consultation_type_id.data or None,
            actor=current_user, now=utcnow()))
        if page is not None:
            return page
        flash("Slot created.", "success")
        return self._back(coach)

    @expose("/slots/bulk", methods=("POST",))
    def bulk_slots(self):
        coach, coaches = self._coach()
        form = BulkSlotsForm()
        form.consultation_type_id.choices = self._type_choices(coach)
        result, page = self._submit(coach, coaches, "bulk_form", form, lambda: services.create_slots_in_bulk(
            coach.id, weekdays=form.weekdays.data, start_date=form.start_date.data, end_date=form.end_date.data,
            start_time=form.start_time.data, end_time=form.end_time.data, capacity=form.capacity.data,
            consultation_type_id=form.consultation_type_id.data or None, actor=current_user, now=utcnow()))
        if page is not None:
            return page
        flash(f"Created {result.created_count} slot(s).", "success")
        for day, reason in sorted(result.skipped.items()):
            flash(f"Skipped {day.isoformat()}: {reason}", "warning")
        return self._back(coach)

    @expose("/slot/delete", methods=("POST",))
    def delete_slot(self):
        coach, _ = self._coach()
        form = SlotActionForm()
        ran, _ = self._button(form, lambda: services.delete_slot(_slot_of(coach, form.slot_id.data),
                                                                 actor=current_user, now=utcnow()))
        if ran:
            flash("Slot deleted.", "success")
        return self._back(coach)

    @expose("/slot/toggle", methods=("POST",))
    def toggle_slot(self):
        coach, _ = self._coach()
        form = SlotActionForm()
        ran, slot = self._button(form, lambda: services.update_slot(_slot_of(coach, form.slot_id.data),
                                                                    is_active=form.is_active.data,
                                                                    actor=current_user, now=utcnow()))
        if ran:
            flash("Slot opened." if slot.is_active else "Slot closed: no new bookings.", "success")
        return self._back(coach)


def _weekly_intervals(coach: CoachProfile, form: WeeklyForm) -> tuple[list[WeeklyInterval], list[str]]:
    """The form's every-type hours plus the coach's type-restricted ones (kept as they are), and for
    each interval the form field that shows its errors."""
    intervals, owners = [], []
    for index in range(7):
        for start, end in parse_intervals(getattr(form, f"day{index}").data):
            intervals.append(WeeklyInterval(index, start, end))
            owners.append(f"day{index}")
    for row in db.session.scalars(select(WeeklyHours).where(WeeklyHours.coach_id == coach.id,
                                                            WeeklyHours.consultation_type_ids.is_not(None))):
        intervals.append(WeeklyInterval(row.weekday, row.start_time, row.end_time,
                                        frozenset(row.consultation_type_ids)))
        owners.append(f"day{row.weekday}")
    return intervals, owners


def _slot_of(coach: CoachProfile, slot_id: int) -> int:
    """The slot id, which must belong to the coach on the page (a forged id is refused like a missing one)."""
    from ..availability.models import Slot

    slot = db.session.get(Slot, slot_id)
    if slot is None or slot.coach_id != coach.id:
        abort(404)
    return slot_id


def _owner(name: str, owners: list[str]):
    match = re.match(r"intervals\[(\d+)\]", name)
    return owners[int(match.group(1))] if match and int(match.group(1)) < len(owners) else name


def _zone(coach: CoachProfile):
    from zoneinfo import ZoneInfo

    return ZoneInfo(coach.timezone)

