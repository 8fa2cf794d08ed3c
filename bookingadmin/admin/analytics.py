"""The analytics page: Chart.js charts over the rollups, each downloadable as CSV."""
from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, request
from flask_admin import expose
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField
from wtforms.validators import InputRequired

from ..analytics import queries
from ..analytics.rollup import last_refresh, refresh_analytics, reporting_zone
from ..catalog.models import CoachProfile, ConsultationType
from ..core.clock import utcnow
from ..core.spreadsheet import csv_writer
from ..extensions import db
from .base import SecuredView
from ..core.display import format_local

DEFAULT_DAYS = 90
MAX_DAYS = 366 * 5


class AnalyticsFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    start = DateField("From", validators=[InputRequired(message="Enter a start date")])
    end = DateField("To", validators=[InputRequired(message="Enter an end date")])
    coach = SelectField("Coach", coerce=int, default=0)
    type = SelectField("Consultation type", coerce=int, default=0)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.end.data < self.start.data:
            self.end.errors.append("The end date is before the start date")
            ok = False
        if ok and (self.end.data - self.start.data).days >= MAX_DAYS:
            self.end.errors.append("Choose at most five years")
            ok = False
        return ok


class RefreshForm(FlaskForm):
    """The "refresh now" button (CSRF token only)."""


def _filter_form() -> AnalyticsFilterForm:
    today = utcnow().astimezone(ZoneInfo(reporting_zone())).date()
    args = request.args.to_dict()
    args.setdefault("start", (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat())
    args.setdefault("end", today.isoformat())
    from werkzeug.datastructures import MultiDict

    form = AnalyticsFilterForm(formdata=MultiDict(args))
    coaches = db.session.execute(select(CoachProfile.id, CoachProfile.display_name_en)
                                 .order_by(CoachProfile.display_name_en))
    types = db.session.execute(select(ConsultationType.id, ConsultationType.title_en).order_by(ConsultationType.number))
    form.coach.choices = [(0, "All coaches")] + [(i, name) for i, name in coaches]
    form.type.choices = [(0, "All types")] + [(i, title) for i, title in types]
    return form


def _scope(form: AnalyticsFilterForm) -> queries.Scope:
    return queries.Scope(form.start.data, form.end.data, form.coach.data or None, form.type.data or None)


class AnalyticsView(SecuredView):
    permission = "analytics.view"

    @expose("/")
    def index(self):
        form = _filter_form()
        charts = queries.all_charts(_scope(form)) if form.validate() else {}
        refreshed = last_refresh()
        return self.render("admin/analytics.html", form=form, charts=charts,
                           configs=[c.as_config() for c in charts.values() if c.kind != "table"],
                           refreshed=refreshed, refresh_form=RefreshForm(), zone=reporting_zone(),
                           format_local=format_local, query_string=request.query_string.decode())

    @expose("/csv/<key>")
    def csv_view(self, key: str):
        """One chart's numbers as CSV, for the same filters as the page."""
        if key not in queries.CHARTS:
            abort(404)
        form = _filter_form()
        if not form.validate():
            abort(400)
        chart = queries.one_chart(key, _scope(form))
        buffer = io.StringIO()
        writer = csv_writer(buffer)  # formulas made inert
        writer.writerow(chart.csv_header)
        writer.writerows(chart.csv_rows)
        name = f"{key}-{form.start.data.isoformat()}-{form.end.data.isoformat()}.csv"
        return Response(buffer.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={name}"})

    @expose("/refresh", methods=("POST",))
    def refresh(self):
        """Bring the rollups up to date now (the same as `flask refresh-analytics`)."""
        if not RefreshForm().validate_on_submit():
            abort(400)
        result = refresh_analytics()
        db.session.commit()
        flash(f"Analytics refreshed ({result.days} day(s) rebuilt in {result.seconds:.1f} s).", "success")
        return redirect(self.get_url(".index") + ("?" + request.args.get("qs", "") if request.args.get("qs") else ""))
