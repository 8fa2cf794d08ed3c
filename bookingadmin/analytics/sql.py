"""SQL building blocks that differ between PostgreSQL and SQLite, written once.

* ``local_date(col, zone)`` / ``local_hour(col, zone)``: an instant's calendar date / hour on a
  zone's wall clock (PostgreSQL: ``timezone(zone, col)``; SQLite: functions registered on each
  connection, backed by ``zoneinfo``).
* ``seconds_between(later, earlier)``: elapsed seconds as a float.
* ``median(expr)``: an aggregate (PostgreSQL ``percentile_cont(0.5)``; SQLite a registered
  aggregate), so a median is one GROUP BY like any other figure.
"""
from __future__ import annotations

import sqlite3
import statistics
from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float, Integer, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class local_date(FunctionElement):
    """The date of an instant on `zone`'s wall clock."""

    type = Date()
    inherit_cache = True
    name = "local_date"


class local_hour(FunctionElement):
    """The hour (0-23) of an instant on `zone`'s wall clock."""

    type = Integer()
    inherit_cache = True
    name = "local_hour"


class seconds_between(FunctionElement):
    """`later - earlier` in seconds."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


class median(FunctionElement):
    """The median of a numeric expression (an aggregate)."""

    type = Float()
    inherit_cache = True
    name = "median"


def _args(element, compiler, **kw) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


def _col_zone(element, compiler, **kw) -> list[str]:
    """The column, and the zone name inlined as a literal: PostgreSQL must see the SELECT and the
    GROUP BY expressions as the same expression, which two bound parameters would not be."""
    col, zone = element.clauses
    return [compiler.process(col, **kw), compiler.process(zone, **{**kw, "literal_binds": True})]


# Each function's SQL per dialect: how its arguments are compiled, and the template they fill.
_SQL = {
    (local_date, "postgresql"): (_col_zone, "CAST(timezone({1}, {0}) AS DATE)"),
    (local_date, "sqlite"): (_col_zone, "ba_local_date({0}, {1})"),
    (local_hour, "postgresql"): (_col_zone, "CAST(EXTRACT(HOUR FROM timezone({1}, {0})) AS INTEGER)"),
    (local_hour, "sqlite"): (_col_zone, "ba_local_hour({0}, {1})"),
    (seconds_between, "postgresql"): (_args, "EXTRACT(EPOCH FROM ({0} - {1}))"),
    (seconds_between, "sqlite"): (_args, "((julianday({0}) - julianday({1})) * 86400.0)"),
    (median, "postgresql"): (_args, "percentile_cont(0.5) WITHIN GROUP (ORDER BY {0})"),
    (median, "sqlite"): (_args, "ba_median({0})"),
}


def _compiler(arguments, template: str):
    def compile_(element, compiler, **kw) -> str:
        return template.format(*arguments(element, compiler, **kw))

    return compile_


for (_function, _dialect), (_arguments, _template) in _SQL.items():
    compiles(_function, _dialect)(_compiler(_arguments, _template))


# --------------------------------------------------------------------------- SQLite functions


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(value: str | None, zone: str) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(_zone(zone))


def _sqlite_local_date(value, zone):
    moment = _local(value, zone)
    return moment.date().isoformat() if moment else None


def _sqlite_local_hour(value, zone):
    moment = _local(value, zone)
    return moment.hour if moment else None


class _Median:
    def __init__(self):
        self.values: list[float] = []

    def step(self, value):
        if value is not None:
            self.values.append(float(value))

    def finalize(self):
        return statistics.median(self.values) if self.values else None


@event.listens_for(Engine, "connect")
def _register_sqlite_functions(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("ba_local_date", 2, _sqlite_local_date, deterministic=True)
        dbapi_connection.create_function("ba_local_hour", 2, _sqlite_local_hour, deterministic=True)
        dbapi_connection.create_aggregate("ba_median", 1, _Median)


class _Bucket(FunctionElement):
    type = Date()
    inherit_cache = True
    name = "bucket"
    unit = "day"


class _DayBucket(_Bucket):
    inherit_cache = True
    unit = "day"


class _WeekBucket(_Bucket):
    inherit_cache = True
    unit = "week"


class _MonthBucket(_Bucket):
    inherit_cache = True
    unit = "month"


_BUCKETS = {"day": _DayBucket, "week": _WeekBucket, "month": _MonthBucket}


def bucket(day, unit: str) -> _Bucket:
    """The first day of the day / week (Monday) / month a date falls in: bucket(day, "week")."""
    return _BUCKETS[unit](day)


class weekday(FunctionElement):
    """0 = Monday .. 6 = Sunday, of a date."""

    type = Integer()
    inherit_cache = True
    name = "weekday"


@compiles(_DayBucket, "postgresql")
@compiles(_WeekBucket, "postgresql")
@compiles(_MonthBucket, "postgresql")
def _bucket_pg(element, compiler, **kw):
    (day,) = _args(element, compiler, **kw)
    if element.unit == "day":
        return day
    return f"CAST(date_trunc('{element.unit}', {day}) AS DATE)"


@compiles(_DayBucket, "sqlite")
@compiles(_WeekBucket, "sqlite")
@compiles(_MonthBucket, "sqlite")
def _bucket_sqlite(element, compiler, **kw):
    (day,) = _args(element, compiler, **kw)
    if element.unit == "day":
        return day
    if element.unit == "month":
        return f"date({day}, 'start of month')"
    return f"date({day}, '-' || ((CAST(strftime('%w', {day}) AS INTEGER) + 6) % 7) || ' days')"


@compiles(weekday, "postgresql")
def _weekday_pg(element, compiler, **kw):
    (day,) = _args(element, compiler, **kw)
    return f"(CAST(EXTRACT(ISODOW FROM {day}) AS INTEGER) - 1)"


@compiles(weekday, "sqlite")
def _weekday_sqlite(element, compiler, **kw):
    (day,) = _args(element, compiler, **kw)
    return f"((CAST(strftime('%w', {day}) AS INTEGER) + 6) % 7)"
