"""List filters that read dates on the viewer's clock and compare in UTC.

Flask-Admin's own date filters hand naive datetimes to the UTCDateTime column type, which
refuses them (a naive datetime is a bug waiting for DST). These read a local date in the
signed-in user's zone, turn it into the UTC instants where that date begins and ends, and
filter on those.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import has_request_context
from flask_admin.babel import lazy_gettext
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_admin.model import filters as base_filters

from ..core.clock import utcnow
from ..core.clock import day_bounds, local_midnight, local_today, week_start
from ..core.display import viewer_zone


def _parse_day(text: str) -> date:
    return datetime.strptime(text.strip(), "%Y-%m-%d").date()


class LocalDateBetweenFilter(BaseSQLAFilter, base_filters.BaseDateBetweenFilter):
    """`2026-01-01 to 2026-01-31`: instants on those local dates, both included."""

    def __init__(self, column, name, **kwargs):
        super().__init__(column, name, data_type="daterangepicker", **kwargs)

    def apply(self, query, value, alias=None):
        start, end = day_bounds(value[0], value[1], viewer_zone())
        column = self.get_column(alias)
        return query.filter(column >= start, column < end)


class LocalDateFromFilter(BaseSQLAFilter, base_filters.BaseDateFilter):
    """On or after the start of a local date."""

    def __init__(self, column, name, **kwargs):
        super().__init__(column, name, **kwargs)
        self.data_type = "datepicker"

    def clean(self, value):
        return _parse_day(value)

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias) >= local_midnight(value, viewer_zone()))

    def operation(self):
        return lazy_gettext("from")


class LocalDateUntilFilter(LocalDateFromFilter):
    """Up to the end of a local date."""

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias) < local_midnight(value + timedelta(days=1), viewer_zone()))

    def operation(self):
        return lazy_gettext("until")


PERIODS = (("today", "Today"), ("this_week", "This week"), ("upcoming", "Upcoming"), ("past", "Past"))


class PeriodFilter(BaseSQLAFilter):
    """Today / this week (Monday to Sunday) / upcoming / past, on the viewer's clock at request time."""

    def __init__(self, column, name, **kwargs):
        super().__init__(column, name, options=PERIODS, **kwargs)

    def validate(self, value):
        return value in dict(PERIODS)

    def apply(self, query, value, alias=None):
        column = self.get_column(alias)
        now, zone = utcnow(), viewer_zone()
        today = local_today(now, zone)
        if value == "today":
            start, end = day_bounds(today, today, zone)
        elif value == "this_week":
            monday = week_start(today)
            start, end = day_bounds(monday, monday + timedelta(days=6), zone)
        elif value == "upcoming":
            return query.filter(column >= now)
        else:
            return query.filter(column < now)
        return query.filter(column >= start, column < end)

    def operation(self):
        return lazy_gettext("is")


class ChoiceFilter(BaseSQLAFilter):
    """Equals one of a fixed (or computed) list of choices; anything else is refused as invalid.

    Computed choices (a callable reading the database) are asked for only inside a request: views
    are built before any database is reachable. `RefreshFilterOptions` refreshes them per page.
    """

    def get_options(self, view):
        if callable(self.options) and not has_request_context():
            return None
        return super().get_options(view)

    def validate(self, value):
        options = self.options() if callable(self.options) else self.options
        return str(value) in {str(key) for key, _ in options}

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias) == value)

    def operation(self):
        return lazy_gettext("equals")


class IntChoiceFilter(ChoiceFilter):
    def clean(self, value):
        return int(value)


class RefreshFilterOptions:
    """Mix into a model view whose filters have computed choices (coaches, types): fresh every page."""

    def _get_filter_groups(self):
        self._refresh_filters_cache()
        return super()._get_filter_groups()
