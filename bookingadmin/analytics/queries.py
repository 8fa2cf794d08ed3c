"""The analytics page's figures: GROUP BY queries over the rollup tables (and one over bookings).

Every function takes a `Scope` (reporting-zone dates first..last, optionally one coach and one
consultation type) and returns a `Chart`: labels, datasets and the same numbers as CSV rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select

from ..bookings.models import STATUSES, Booking
from ..catalog.models import CoachProfile, ConsultationType
from ..core.clock import day_bounds
from ..extensions import db
from .models import BookingDayRollup as D
from .models import ALL, CoachDayRollup, DurationRollup, StartHourRollup
from .revenue import revenue_note
from .rollup import reporting_zone
from .sql import bucket, median, seconds_between, weekday

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STATUS_COLOURS = {"pending_payment": "#adb5bd", "pending_confirmation": "#ffc107", "confirmed": "#17a2b8",
                  "rescheduled": "#6f42c1", "completed": "#28a745", "no_show": "#fd7e14", "cancelled": "#dc3545"}
PALETTE = ("#2c7be5", "#28a745", "#dc3545", "#ffc107", "#6f42c1", "#17a2b8", "#fd7e14", "#20c997", "#6c757d",
           "#e83e8c")


@dataclass(frozen=True)
class Scope:
    first: date
    last: date
    coach_id: int | None = None
    consultation_type_id: int | None = None

    @property
    def unit(self) -> str:
        """Chart buckets: days up to two months, weeks up to about a year, months beyond."""
        days = (self.last - self.first).days + 1
        return "day" if days <= 62 else "week" if days <= 400 else "month"


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # line | bar | doughnut | bubble | table
    labels: list[str] = field(default_factory=list)
    datasets: list[dict] = field(default_factory=list)
    csv_header: list[str] = field(default_factory=list)
    csv_rows: list[list] = field(default_factory=list)
    note: str = ""
    options: dict = field(default_factory=dict)

    def as_config(self) -> dict:
        """What the page's Chart.js code draws (money becomes a JSON number only here, for display)."""
        return _plain({"key": self.key, "kind": self.kind, "labels": self.labels, "datasets": self.datasets,
                       "options": self.options})


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _where(table, scope: Scope, *, per_coach: bool = False) -> list:
    """The rollup rows of the scope: its days, and the level matching its filters (ALL when unfiltered).

    per_coach: one row set per coach (coach_id != ALL) instead of the coach filter's level.
    """
    clauses = [table.day >= scope.first, table.day <= scope.last]
    if per_coach:
        clauses.append(table.coach_id == scope.coach_id if scope.coach_id else table.coach_id != ALL)
    elif hasattr(table, "consultation_type_id"):
        clauses.append(table.coach_id == (scope.coach_id or ALL))
    elif scope.coach_id:
        clauses.append(table.coach_id == scope.coach_id)
    if hasattr(table, "consultation_type_id"):
        clauses.append(table.consultation_type_id == (scope.consultation_type_id or ALL))
    return clauses


def buckets(scope: Scope) -> list[date]:
    """Every bucket start between first and last (so empty periods show as 0, not as a gap)."""
    unit, day = scope.unit, scope.first
    if unit == "week":
        day -= timedelta(days=day.weekday())
    elif unit == "month":
        day = day.replace(day=1)
    result = []
    while day <= scope.last:
        result.append(day)
        if unit == "day":
            day += timedelta(days=1)
        elif unit == "week":
            day += timedelta(days=7)
        else:
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return result


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _series(rows, labels: list[date]) -> dict:
    """{(bucket, key...): value} from GROUP BY rows; looked up per label when building datasets."""
    return {(_as_date(row[0]),) + tuple(row[1:-1]): row[-1] for row in rows}


# --------------------------------------------------------------------------- charts over time


def bookings_by_status(scope: Scope) -> Chart:
    period = bucket(D.day, scope.unit)
    rows = db.session.execute(
        select(period, *(func.sum(getattr(D, s)) for s in STATUSES)).where(*_where(D, scope))
        .group_by(period).order_by(period)).all()
    by_bucket = {_as_date(row[0]): row[1:] for row in rows}
    labels = buckets(scope)
    chart = Chart("bookings_by_status", "Bookings over time by status", "bar",
                  labels=[d.isoformat() for d in labels], options={"stacked": True})
    for i, status in enumerate(STATUSES):
        data = [int((by_bucket.get(d) or [0] * len(STATUSES))[i] or 0) for d in labels]
        chart.datasets.append({"label": status.replace("_", " "), "data": data,
                               "backgroundColor": STATUS_COLOURS[status]})
    chart.csv_header = ["period_start"] + list(STATUSES)
    chart.csv_rows = [[d.isoformat()] + [ds["data"][n] for ds in chart.datasets] for n, d in enumerate(labels)]
    return chart


def revenue_by_currency(scope: Scope) -> Chart:
    period = bucket(D.day, scope.unit)
    rows = db.session.execute(
        select(period, D.currency, func.sum(D.revenue)).where(*_where(D, scope))
        .group_by(period, D.currency).order_by(period)).all()
    values = _series(rows, [])
    currencies = sorted({row[1] for row in rows})
    labels = buckets(scope)
    chart = Chart("revenue_by_currency", "Revenue over time by currency", "line",
                  labels=[d.isoformat() for d in labels], note=revenue_note())
    for i, currency in enumerate(currencies):
        chart.datasets.append({"label": currency, "borderColor": PALETTE[i % len(PALETTE)], "fill": False,
                               "data": [_money(values.get((d, currency))) for d in labels]})
    chart.csv_header = ["period_start", "currency", "revenue"]
    chart.csv_rows = [[_as_date(p).isoformat(), c, _money(v)] for p, c, v in rows]
    return chart


def revenue_by_type(scope: Scope) -> Chart:
    period = bucket(D.day, scope.unit)
    by_type = [D.day >= scope.first, D.day <= scope.last, D.coach_id == (scope.coach_id or ALL),
               D.consultation_type_id == scope.consultation_type_id if scope.consultation_type_id
               else D.consultation_type_id != ALL]
    rows = db.session.execute(
        select(period, D.consultation_type_id, D.currency, func.sum(D.revenue)).where(*by_type)
        .group_by(period, D.consultation_type_id, D.currency).order_by(period)).all()
    titles = type_titles()
    values = _series(rows, [])
    series = sorted({(row[1], row[2]) for row in rows}, key=lambda k: (titles.get(k[0], ""), k[1]))
    labels = buckets(scope)
    chart = Chart("revenue_by_type", "Revenue over time by consultation type", "bar",
                  labels=[d.isoformat() for d in labels], note=revenue_note(), options={"stacked": False})
    for i, (type_id, currency) in enumerate(series):
        chart.datasets.append({"label": f"{titles.get(type_id, type_id)} ({currency})",
                               "backgroundColor": PALETTE[i % len(PALETTE)],
                               "data": [_money(values.get((d, type_id, currency))) for d in labels]})
    chart.csv_header = ["period_start", "consultation_type", "currency", "revenue"]
    chart.csv_rows = [[_as_date(p).isoformat(), titles.get(t, t), c, _money(v)] for p, t, c, v in rows]
    return chart


# --------------------------------------------------------------------------- totals


@dataclass
class Totals:
    bookings: int = 0
    completed: int = 0
    no_show: int = 0
    cancelled: int = 0
    paid: int = 0
    rating_count: int = 0
    rating_sum: int = 0
    ratings: tuple[int, ...] = (0, 0, 0, 0, 0)

    @property
    def finished(self) -> int:
        return self.completed + self.no_show + self.cancelled

    def rate(self, part: int) -> float | None:
        return round(100.0 * part / self.finished, 1) if self.finished else None

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 2) if self.rating_count else None


def totals(scope: Scope) -> Totals:
    row = db.session.execute(select(
        func.sum(D.bookings), func.sum(D.completed), func.sum(D.no_show), func.sum(D.cancelled), func.sum(D.paid),
        func.sum(D.rating_count), func.sum(D.rating_sum), *(func.sum(getattr(D, f"rating_{n}")) for n in range(1, 6)),
    ).where(*_where(D, scope))).one()
    values = [int(v or 0) for v in row]
    return Totals(*values[:7], ratings=tuple(values[7:]))


def outcome_rates(scope: Scope, t: Totals) -> Chart:
    chart = Chart("outcome_rates", "Completion, cancellation and no-show rates", "doughnut",
                  labels=["completed", "cancelled", "no show"],
                  note="Share of bookings with a final outcome (completed, cancelled or no-show).")
    chart.datasets = [{"label": "bookings", "data": [t.completed, t.cancelled, t.no_show],
                       "backgroundColor": [STATUS_COLOURS["completed"], STATUS_COLOURS["cancelled"],
                                           STATUS_COLOURS["no_show"]]}]
    chart.csv_header = ["outcome", "bookings", "percent"]
    chart.csv_rows = [["completed", t.completed, t.rate(t.completed)], ["cancelled", t.cancelled, t.rate(t.cancelled)],
                      ["no_show", t.no_show, t.rate(t.no_show)]]
    return chart


def rating_distribution(scope: Scope, t: Totals) -> Chart:
    chart = Chart("ratings", "Ratings", "bar", labels=["1", "2", "3", "4", "5"],
                  note=f"Average rating: {t.average_rating if t.average_rating is not None else '—'} "
                       f"from {t.rating_count} review(s).")
    chart.datasets = [{"label": "reviews", "data": list(t.ratings), "backgroundColor": "#ffc107"}]
    chart.csv_header = ["rating", "reviews"]
    chart.csv_rows = [[n, c] for n, c in zip(range(1, 6), t.ratings)] + [["average", t.average_rating]]
    return chart


def conversion(scope: Scope, t: Totals) -> Chart:
    chart = Chart("conversion", "Conversion: created → paid → completed", "bar",
                  labels=["created", "paid (or free)", "completed"],
                  note="Of the bookings in the period: how many were paid (free ones count as paid) and completed.")
    chart.datasets = [{"label": "bookings", "data": [t.bookings, t.paid, t.completed],
                       "backgroundColor": ["#2c7be5", "#17a2b8", "#28a745"]}]
    chart.csv_header = ["step", "bookings", "percent_of_created"]
    chart.csv_rows = [[label, n, round(100.0 * n / t.bookings, 1) if t.bookings else None]
                      for label, n in zip(chart.labels, [t.bookings, t.paid, t.completed])]
    return chart


def average_booking_value(scope: Scope) -> Chart:
    rows = db.session.execute(
        select(D.currency, func.sum(D.revenue), func.sum(D.revenue_bookings)).where(*_where(D, scope))
        .group_by(D.currency).order_by(D.currency)).all()
    chart = Chart("average_value", "Average booking value", "table", note=revenue_note())
    chart.csv_header = ["currency", "revenue", "paid_bookings", "average_value"]
    for currency, revenue, count in rows:
        average = _money(Decimal(revenue) / count) if count else None
        chart.csv_rows.append([currency, _money(revenue), int(count or 0), average])
    chart.labels = [r[0] for r in chart.csv_rows]
    chart.datasets = [{"label": "average value", "data": [r[3] for r in chart.csv_rows]}]
    return chart


# --------------------------------------------------------------------------- distributions


def popular_durations(scope: Scope) -> Chart:
    rows = db.session.execute(
        select(DurationRollup.duration_minutes, func.sum(DurationRollup.bookings))
        .where(*_where(DurationRollup, scope))
        .group_by(DurationRollup.duration_minutes).order_by(DurationRollup.duration_minutes)).all()
    chart = Chart("durations", "Popular durations", "bar", labels=[f"{m} min" for m, _ in rows])
    chart.datasets = [{"label": "bookings", "data": [int(n) for _, n in rows], "backgroundColor": "#6f42c1"}]
    chart.csv_header = ["duration_minutes", "bookings"]
    chart.csv_rows = [[m, int(n)] for m, n in rows]
    return chart


def start_time_heatmap(scope: Scope) -> Chart:
    day = weekday(StartHourRollup.day)
    rows = db.session.execute(
        select(day, StartHourRollup.hour, func.sum(StartHourRollup.bookings))
        .where(*_where(StartHourRollup, scope)).group_by(day, StartHourRollup.hour)
        .order_by(day, StartHourRollup.hour)).all()
    peak = max((int(n) for _, _, n in rows), default=0)
    chart = Chart("start_times", "Popular start times (weekday × hour)", "bubble",
                  note=f"Start hours on the {reporting_zone()} clock.",
                  options={"x": {"min": -0.5, "max": 23.5, "title": "hour"},
                           "y": {"min": -0.5, "max": 6.5, "title": "weekday", "labels": list(WEEKDAYS)}})
    chart.datasets = [{"label": "bookings", "backgroundColor": "rgba(44, 123, 229, 0.6)",
                       "data": [{"x": int(h), "y": int(d), "r": round(3 + 12 * int(n) / peak, 1), "n": int(n)}
                                for d, h, n in rows]}]
    chart.csv_header = ["weekday", "hour", "bookings"]
    chart.csv_rows = [[WEEKDAYS[int(d)], int(h), int(n)] for d, h, n in rows]
    return chart


def coach_utilization(scope: Scope) -> Chart:
    booked = (select(D.coach_id, func.sum(D.booked_minutes).label("minutes")).where(*_where(D, scope, per_coach=True))
              .group_by(D.coach_id).subquery())
    available = (select(CoachDayRollup.coach_id, func.sum(CoachDayRollup.available_minutes).label("minutes"))
                 .where(*_where(CoachDayRollup, scope)).group_by(CoachDayRollup.coach_id).subquery())
    query = (select(CoachProfile.display_name_en, func.coalesce(booked.c.minutes, 0),
                    func.coalesce(available.c.minutes, 0))
             .outerjoin(booked, booked.c.coach_id == CoachProfile.id)
             .outerjoin(available, available.c.coach_id == CoachProfile.id)
             .where((booked.c.minutes.is_not(None)) | (available.c.minutes.is_not(None)))
             .order_by(CoachProfile.display_name_en))
    if scope.coach_id:
        query = query.where(CoachProfile.id == scope.coach_id)
    rows = db.session.execute(query).all()
    chart = Chart("utilization", "Coach utilization (booked ÷ available minutes)", "bar",
                  labels=[name for name, _, _ in rows], options={"percent": True},
                  note="Booked: minutes of bookings that were not cancelled. Available: weekly hours, "
                       "date overrides and slots on the coach's own calendar.")
    ratios = [round(100.0 * int(b) / int(a), 1) if int(a) else None for _, b, a in rows]
    chart.datasets = [{"label": "% of available time booked", "data": ratios, "backgroundColor": "#20c997"}]
    chart.csv_header = ["coach", "booked_minutes", "available_minutes", "utilization_percent"]
    chart.csv_rows = [[name, int(b), int(a), r] for (name, b, a), r in zip(rows, ratios)]
    return chart


def median_time_to_confirm(scope: Scope) -> Chart:
    """Live over bookings (a median does not add up across days): from entering the queue (paid, or
    created when free) to confirmed, for bookings that waited; starts on the period's dates."""

    low, high = day_bounds(scope.first, scope.last, ZoneInfo(reporting_zone()))
    waited = seconds_between(Booking.confirmed_at, func.coalesce(Booking.paid_at, Booking.created_at))
    clauses = [Booking.confirmed_at.is_not(None), Booking.starts_at >= low, Booking.starts_at < high,
               Booking.confirmed_at > func.coalesce(Booking.paid_at, Booking.created_at)]
    if scope.coach_id:
        clauses.append(Booking.coach_id == scope.coach_id)
    if scope.consultation_type_id:
        clauses.append(Booking.consultation_type_id == scope.consultation_type_id)
    value, count = db.session.execute(select(median(waited), func.count()).where(and_(*clauses))).one()
    chart = Chart("time_to_confirm", "Median time to confirm", "table",
                  note="From payment (or booking, when free) to confirmation, for bookings that waited for one.")
    chart.csv_header = ["median_seconds", "median", "bookings"]
    chart.csv_rows = [[round(value) if value is not None else None, humanize_seconds(value), int(count)]]
    chart.labels = ["median"]
    chart.datasets = [{"label": "median seconds", "data": [chart.csv_rows[0][0]]}]
    return chart


# --------------------------------------------------------------------------- helpers


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def humanize_seconds(value: float | None) -> str:
    if value is None:
        return "—"
    minutes_total = int(round(value / 60))
    days, rest = divmod(minutes_total, 1440)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes or not (days or hours) else ""]
    return " ".join(p for p in parts if p)


def type_titles() -> dict[int, str]:
    return dict(db.session.execute(select(ConsultationType.id, ConsultationType.title_en)).all())


CHARTS = ("bookings_by_status", "revenue_by_currency", "revenue_by_type", "outcome_rates", "ratings",
          "start_times", "durations", "average_value", "utilization", "conversion", "time_to_confirm")


def all_charts(scope: Scope) -> dict[str, Chart]:
    t = totals(scope)
    charts = [bookings_by_status(scope), revenue_by_currency(scope), revenue_by_type(scope), outcome_rates(scope, t),
              rating_distribution(scope, t), start_time_heatmap(scope), popular_durations(scope),
              average_booking_value(scope), coach_utilization(scope), conversion(scope, t),
              median_time_to_confirm(scope)]
    return {chart.key: chart for chart in charts}


def one_chart(key: str, scope: Scope) -> Chart:
    builders = {
        "bookings_by_status": bookings_by_status, "revenue_by_currency": revenue_by_currency,
        "revenue_by_type": revenue_by_type, "start_times": start_time_heatmap, "durations": popular_durations,
        "average_value": average_booking_value, "utilization": coach_utilization,
        "time_to_confirm": median_time_to_confirm,
        "outcome_rates": lambda s: outcome_rates(s, totals(s)), "ratings": lambda s: rating_distribution(s, totals(s)),
        "conversion": lambda s: conversion(s, totals(s)),
    }
    if key not in builders:
        raise KeyError(key)
    return builders[key](scope)
