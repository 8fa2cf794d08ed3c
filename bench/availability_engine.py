"""Benchmark the pure availability engine on one coach-month.

Weekly hours Mon-Fri 09:00-13:00 and 14:00-18:00, 30 bookings, 15-minute step, 60-minute
duration; a viewer in another zone asks for the whole month. Prints p50/p95 in milliseconds
for bookable_times() and available_dates(), for a quiet month and for a month with a DST change
(which takes the slower wall-clock path on the change day). Figures, not assertions:

    python bench/availability_engine.py [--runs 200]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time as clock
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bookingadmin.availability.engine import (  # noqa: E402
    BusyInterval,
    CoachSchedule,
    TypeSettings,
    WeeklyInterval,
    available_dates,
    bookable_times,
)

COACH_ZONE, VIEWER_ZONE = "Europe/London", "America/New_York"
SETTINGS = TypeSettings(id=1, step_minutes=15, horizon_days=60, buffer_after_minutes=10,
                        prices={60: Decimal("150.00")})


def coach_month(year: int, month: int, bookings: int = 30, seed: int = 7) -> CoachSchedule:
    """The benchmark coach: weekday hours and ``bookings`` one-hour bookings in that month."""
    weekly = tuple(WeeklyInterval(day, start, end) for day in range(5)
                   for start, end in ((time(9), time(13)), (time(14), time(18))))
    rng, zone = random.Random(seed), ZoneInfo(COACH_ZONE)
    workdays = [d for d in (date(year, month, 1) + timedelta(days=i) for i in range(31))
                if d.month == month and d.weekday() < 5]
    busy = []
    for _ in range(bookings):
        hour = rng.choice([9, 10, 11, 12, 14, 15, 16, 17])
        local = datetime.combine(rng.choice(workdays), time(hour, rng.choice([0, 15, 30])),
                                 tzinfo=zone)
        start = local.astimezone(timezone.utc)
        busy.append(BusyInterval(start, start + timedelta(minutes=70), 1, None,
                                 start, start + timedelta(minutes=60)))
    return CoachSchedule(COACH_ZONE, weekly=weekly, busy=tuple(busy))


def measure(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """p50 and p95 of ``runs`` timed calls, in milliseconds, after a short warm-up."""
    for _ in range(10):
        call()
    samples = []
    for _ in range(runs):
        started = clock.perf_counter_ns()
        call()
        samples.append((clock.perf_counter_ns() - started) / 1e6)
    cuts = statistics.quantiles(samples, n=100)
    return statistics.median(samples), cuts[94]


def bench_month(year: int, month: int, runs: int) -> None:
    """Time both entry points on one month and print one line each."""
    schedule = coach_month(year, month)
    now = datetime(year, month, 1, tzinfo=timezone.utc) - timedelta(days=1)
    first = date(year, month, 1)
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    times = bookable_times(schedule, SETTINGS, 60, first, last, VIEWER_ZONE, now)
    dates = available_dates(schedule, SETTINGS, 60, year, month, VIEWER_ZONE, now)
    p50, p95 = measure(lambda: bookable_times(schedule, SETTINGS, 60, first, last,
                                              VIEWER_ZONE, now), runs)
    print(f"{first:%Y-%m} bookable_times   {len(times):4d} times  p50 {p50:6.3f} ms  "
          f"p95 {p95:6.3f} ms")
    p50, p95 = measure(lambda: available_dates(schedule, SETTINGS, 60, year, month,
                                               VIEWER_ZONE, now), runs)
    print(f"{first:%Y-%m} available_dates  {len(dates):4d} dates  p50 {p50:6.3f} ms  "
          f"p95 {p95:6.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    print(f"python {sys.version.split()[0]}, coach {COACH_ZONE}, viewer {VIEWER_ZONE}, "
          f"{runs} runs")
    bench_month(2026, 6, runs)  # no DST change
    bench_month(2026, 3, runs)  # London springs forward on 29 March


if __name__ == "__main__":
    main()
