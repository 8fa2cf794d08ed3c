"""The analytics CSVs keep text as text: a coach named like a formula comes out with a leading apostrophe."""
from __future__ import annotations

import csv
import io
import re

from bookingadmin.extensions import db


def test_analytics_csv_neutralises_formulas(week, make_user, auth, client):
    week.coach_a.display_name_en = "@SUM(1+1)*cmd|'x'!A0"
    db.session.commit()
    auth.login(make_user(role="admin").email)
    page = client.get("/admin/analytics/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/admin/analytics/refresh", data={"csrf_token": token})
    response = client.get("/admin/analytics/csv/utilization?start=2026-03-02&end=2026-03-08")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    names = {row["coach"] for row in rows}
    assert "'@SUM(1+1)*cmd|'x'!A0" in names and "@SUM(1+1)*cmd|'x'!A0" not in names
    assert all(not row["booked_minutes"].startswith("'") for row in rows)
