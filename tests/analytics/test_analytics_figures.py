"""Analytics figures against a hand-built week with known answers (tests/analytics/conftest.py)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from bookingadmin.analytics import queries
from bookingadmin.analytics.rollup import refresh_analytics
from bookingadmin.bookings.models import Booking, BookingEvent
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db

from tests.analytics.week import MONDAY, riyadh

WEEK = queries.Scope(MONDAY, MONDAY + timedelta(days=6))


def refreshed(full: bool = False):
    result = refresh_analytics(full=full)
    db.session.commit()
    return result


def test_bookings_by_status_per_day(week):
    refreshed()
    chart = queries.bookings_by_status(WEEK)
    assert chart.labels == [(MONDAY + timedelta(days=n)).isoformat() for n in range(7)]
    series = {d["label"]: d["data"] for d in chart.datasets}
    assert series["completed"] == [2, 0, 0, 0, 0, 0, 0]
    assert series["no show"] == [0, 1, 0, 0, 0, 0, 0]
    assert series["cancelled"] == [0, 0, 1, 0, 0, 0, 0]
    assert series["confirmed"] == [0, 0, 1, 0, 0, 0, 0]
    assert series["pending payment"] == [0, 0, 0, 1, 0, 0, 0]  # 23:30 Thursday in Riyadh


def test_revenue_by_currency_and_by_type(week):
    refreshed()
    by_currency = queries.revenue_by_currency(WEEK)
    assert sorted((r[0], r[1], r[2]) for r in by_currency.csv_rows) == [
        ("2026-03-02", "USD", Decimal("140.00")), ("2026-03-03", "USD", Decimal("90.00")),
        ("2026-03-04", "SAR", Decimal("150.00")), ("2026-03-05", "USD", Decimal("0.00"))]
    totals = {d["label"]: sum(d["data"]) for d in by_currency.datasets}
    assert totals == {"SAR": Decimal("150.00"), "USD": Decimal("230.00")}
    by_type = queries.revenue_by_type(WEEK)
    totals = {d["label"]: sum(d["data"]) for d in by_type.datasets}
    assert totals == {"Life coaching (SAR)": Decimal("150.00"), "Training (USD)": Decimal("230.00")}


def test_rates_ratings_conversion_and_average_value(week):
    refreshed()
    t = queries.totals(WEEK)
    assert (t.bookings, t.completed, t.no_show, t.cancelled, t.paid) == (6, 2, 1, 1, 5)
    assert (t.rate(t.completed), t.rate(t.cancelled), t.rate(t.no_show)) == (50.0, 25.0, 25.0)
    assert t.average_rating == 4.0 and t.ratings == (0, 0, 1, 0, 1)
    assert queries.conversion(WEEK, t).csv_rows == [["created", 6, 100.0], ["paid (or free)", 5, 83.3],
                                                   ["completed", 2, 33.3]]
    value = queries.average_booking_value(WEEK)
    assert value.csv_rows == [["SAR", Decimal("150.00"), 1, Decimal("150.00")],
                              ["USD", Decimal("230.00"), 3, Decimal("76.67")]]


def test_durations_and_start_time_heatmap(week):
    refreshed()
    assert queries.popular_durations(WEEK).csv_rows == [[30, 1], [45, 1], [60, 4]]
    assert sorted(queries.start_time_heatmap(WEEK).csv_rows) == sorted(
        [["Mon", 10, 1], ["Mon", 14, 1], ["Tue", 10, 1], ["Wed", 10, 1], ["Wed", 16, 1], ["Thu", 23, 1]])


def test_coach_utilization(week):
    refreshed()
    rows = queries.coach_utilization(WEEK).csv_rows
    # A: 60 + 30 + 60 booked (the cancelled one does not count) of 5 × 480; B: 45 + 60 of 7 × 240.
    assert rows == [["Coach A", 150, 2400, 6.2], ["Coach B", 105, 1680, 6.2]]


def test_median_time_to_confirm(week):
    chart = queries.median_time_to_confirm(WEEK)  # live: no refresh needed
    assert chart.csv_rows == [[7200, "2 h", 3]]  # waits of 30 min, 2 h and 4 h


def test_filters_by_coach_and_type(week):
    refreshed()
    coach_a = queries.Scope(WEEK.first, WEEK.last, coach_id=week.coach_a.id)
    assert queries.totals(coach_a).bookings == 4
    sar = queries.Scope(WEEK.first, WEEK.last, consultation_type_id=week.sar.id)
    assert {d["label"]: sum(d["data"]) for d in queries.revenue_by_currency(sar).datasets} == {"SAR": Decimal("150.00")}
    assert queries.median_time_to_confirm(coach_a).csv_rows[0][0] == 7200
    assert queries.coach_utilization(coach_a).csv_rows == [["Coach A", 150, 2400, 6.2]]


def test_longer_ranges_use_weeks_then_months(week):
    refreshed()
    quarter = queries.Scope(MONDAY - timedelta(days=40), MONDAY + timedelta(days=60))
    chart = queries.bookings_by_status(quarter)
    assert quarter.unit == "week" and MONDAY.isoformat() in chart.labels
    completed = dict(zip(chart.labels, next(d["data"] for d in chart.datasets if d["label"] == "completed")))
    assert completed[MONDAY.isoformat()] == 2 and completed[(MONDAY + timedelta(days=7)).isoformat()] == 1
    year = queries.Scope(MONDAY.replace(month=1, day=1), MONDAY.replace(month=12, day=31))
    assert year.unit == "week"
    assert queries.Scope(MONDAY.replace(year=2024), MONDAY).unit == "month"


def test_incremental_refresh_rebuilds_only_touched_days(week):
    first = refreshed()
    assert first.full
    assert refreshed().days == 0  # nothing changed since
    later = utcnow()
    six = db.session.get(Booking, week.bookings["six"].id)
    six.status, six.updated_at = "cancelled", later
    # "three" moved from Tuesday to Friday (its event names the old start)
    three = db.session.get(Booking, week.bookings["three"].id)
    old_start = three.starts_at
    three.starts_at = riyadh(MONDAY + timedelta(days=4), 10)
    three.ends_at = three.busy_until = three.starts_at + timedelta(minutes=60)
    three.busy_from, three.updated_at = three.starts_at, later
    db.session.add(BookingEvent(booking_id=three.id, action="rescheduled", actor_role="system", created_at=later,
                                data={"from_starts_at": old_start.isoformat(),
                                      "to_starts_at": three.starts_at.isoformat()}))
    db.session.commit()
    result = refreshed()
    assert not result.full and result.days == 3  # Thursday, Tuesday and Friday
    series = {d["label"]: d["data"] for d in queries.bookings_by_status(WEEK).datasets}
    assert series["no show"] == [0, 0, 0, 0, 1, 0, 0]
    assert series["pending payment"] == [0] * 7 and series["cancelled"] == [0, 0, 1, 1, 0, 0, 0]


def test_all_charts_render_together(week):
    refreshed()
    charts = queries.all_charts(WEEK)
    assert set(charts) == set(queries.CHARTS)
    for chart in charts.values():
        config = chart.as_config()
        assert config["key"] == chart.key and isinstance(config["datasets"], list)
