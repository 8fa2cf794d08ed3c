"""The analytics page over HTTP: charts' data on the page, CSV per chart, bad filters, refresh now."""
from __future__ import annotations

import csv
import io
import json
import re

from bookingadmin.analytics.models import RollupRefresh
from bookingadmin.extensions import db

RANGE = "start=2026-03-02&end=2026-03-08"


def _admin(make_user, auth):
    user = make_user(role="admin")
    auth.login(user.email)
    return user


def _refresh(client):
    page = client.get("/admin/analytics/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post("/admin/analytics/refresh", data={"csrf_token": token}, follow_redirects=True)


def test_page_carries_every_chart_and_the_refresh_button_updates_it(week, make_user, auth, client):
    _admin(make_user, auth)
    assert "Analytics refreshed" in _refresh(client).get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(RollupRefresh.id))) == 1
    page = client.get(f"/admin/analytics/?{RANGE}").get_data(as_text=True)
    assert "vendor/chartjs/chart.umd.min.js" in page and "cdn" not in page.lower()
    configs = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    by_key = {c["key"]: c for c in configs}
    assert {"bookings_by_status", "revenue_by_currency", "revenue_by_type", "outcome_rates", "ratings",
            "start_times", "durations", "utilization", "conversion"} <= set(by_key)
    assert by_key["conversion"]["datasets"][0]["data"] == [6, 5, 2]
    assert 'id="table-time_to_confirm"' in page and "2 h" in page
    assert "completed: <strong>50.0%</strong>" in page


def test_each_chart_downloads_as_csv_for_the_same_filters(week, make_user, auth, client):
    _admin(make_user, auth)
    _refresh(client)
    response = client.get(f"/admin/analytics/csv/durations?{RANGE}&coach={week.coach_a.id}")
    assert response.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [
        ["duration_minutes", "bookings"], ["30", "1"], ["60", "3"]]
    ratings = client.get(f"/admin/analytics/csv/ratings?{RANGE}").get_data(as_text=True)
    assert "average,4.0" in ratings
    assert client.get(f"/admin/analytics/csv/nonsense?{RANGE}").status_code == 404


def test_bad_dates_show_a_message_not_an_error(week, make_user, auth, client):
    _admin(make_user, auth)
    response = client.get("/admin/analytics/?start=2026-03-08&end=2026-03-01")
    assert response.status_code == 200 and "The end date is before the start date" in response.get_data(as_text=True)
    response = client.get("/admin/analytics/?start=someday&end=2026-03-01")
    assert response.status_code == 200 and "Not a valid date value" in response.get_data(as_text=True)
    assert client.get("/admin/analytics/csv/durations?start=x").status_code == 400


def test_refresh_analytics_command(week, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["refresh-analytics", "--full"])
    assert result.exit_code == 0 and "Analytics refreshed (full)" in result.output
    result = runner.invoke(args=["refresh-analytics"])
    assert "incremental): 0 day(s)" in result.output
