"""Benchmark availability with its database queries, on PostgreSQL.

Seeds 100 coaches (Europe/London, weekly hours Mon-Fri 09:00-13:00 and 14:00-18:00, so a lunch
break), one consultation type (60 minutes, 15-minute step, 10-minute buffer after) and 30
bookings per coach in June 2027, then prints p50/p95 in milliseconds for:

* one coach-month, engine alone (schedule already loaded): bookable_times and available_dates;
* one coach-month through the services, database queries included;
* available dates for all 100 coaches for the month (one batched load + 100 engine calls).

Figures, not assertions. Uses DATABASE_URL when set (it must be PostgreSQL and migrated; the
seeded rows are rolled back at the end), otherwise creates a throwaway database on
127.0.0.1:5432 (BENCH_POSTGRES_URL to change the server) and drops it afterwards:

    .venv/bin/python bench/availability.py [--runs 200]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time as clock
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bookingadmin import create_app  # noqa: E402
from bookingadmin.availability import engine, services  # noqa: E402
from bookingadmin.extensions import db  # noqa: E402

COACHES, BOOKINGS_PER_COACH = 100, 30
YEAR, MONTH = 2027, 6
NOW = datetime(2027, 5, 31, 12, 0, tzinfo=timezone.utc)
COACH_ZONE, VIEWER_ZONE = "Europe/London", "America/New_York"
SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/postgres")
PASSWORD_HASH = "scrypt:32768:8:1$bench$" + "0" * 128  # nobody logs in; hashing 100 passwords would dominate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="timed calls per single-coach figure")
    parser.add_argument("--overview-runs", type=int, default=50, help="timed calls of the 100-coach overview")
    args = parser.parse_args()
    url, drop = _database()
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ENV_NAME": "testing"})
        with app.app_context():
            if drop:
                _migrate()
            try:
                coach_ids, type_id = seed()
                report(coach_ids, type_id, args.runs, args.overview_runs)
            finally:
                db.session.rollback()
                db.session.remove()
                db.engine.dispose()
    finally:
        if drop:
            drop()


# --------------------------------------------------------------------------- database


def _database() -> tuple[str, Callable[[], None] | None]:
    """DATABASE_URL as given, or a fresh database and the function that drops it."""
    given = os.environ.get("DATABASE_URL")
    if given:
        if not given.startswith("postgresql"):
            sys.exit("DATABASE_URL must point at PostgreSQL for this benchmark")
        print("using DATABASE_URL (seeded rows are rolled back at the end)", flush=True)
        return given, None
    name = f"ba_bench_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        sys.exit(f"PostgreSQL is not reachable at {SERVER_URL}: {str(exc).splitlines()[0]}")
    print(f"created throwaway database {name}", flush=True)

    def drop() -> None:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
        print(f"dropped {name}", flush=True)

    return SERVER_URL.rsplit("/", 1)[0] + "/" + name, drop


def _migrate() -> None:
    from flask_migrate import upgrade

    print("applying migrations ...", flush=True)
    upgrade()


# --------------------------------------------------------------------------- seeding


def seed() -> tuple[list[int], int]:
    """The coaches, their hours, one type and the bookings, inserted in bulk. Not committed."""
    from bookingadmin.auth.models import User
    from bookingadmin.availability.models import WeeklyHours
    from bookingadmin.bookings.models import Booking
    from bookingadmin.catalog.models import (
        CoachProfile, ConsultationType, DurationOption, coach_consultation_types,
    )

    started = clock.perf_counter()
    tag = uuid.uuid4().hex[:6]
    ctype = ConsultationType(number=900_000 + random.randrange(99_999), title_en="Bench session", title_ar="جلسة",
                             category="sports", currency="USD", slot_step_minutes=15, min_notice_minutes=120,
                             horizon_days=60, buffer_after_minutes=10, max_bookings_per_day=None)
    ctype.duration_options = [DurationOption(minutes=60, price=Decimal("90.00"), is_default=True)]
    db.session.add(ctype)
    customer = User(email=f"bench-customer-{tag}@example.com", name="Bench customer", role="customer",
                    password_hash=PASSWORD_HASH)
    db.session.add(customer)
    db.session.flush()
    print(f"seeding {COACHES} coaches ...", flush=True)
    user_ids = db.session.scalars(sa.insert(User).returning(User.id), [
        dict(email=f"bench-coach-{tag}-{n}@example.com", name=f"Coach {n}", role="coach",
             password_hash=PASSWORD_HASH, language="en", timezone=COACH_ZONE, active=True, created_at=NOW,
             updated_at=NOW) for n in range(COACHES)]).all()
    coach_ids = db.session.scalars(sa.insert(CoachProfile).returning(CoachProfile.id), [
        dict(user_id=user_id, display_name_en=f"Coach {n}", display_name_ar="", slug=f"bench-{tag}-{n}",
             title="", bio="", specialties=[], languages=[], rating=Decimal("0"), review_count=0,
             timezone=COACH_ZONE, is_active=True, created_at=NOW) for n, user_id in enumerate(user_ids)]).all()
    db.session.execute(sa.insert(coach_consultation_types),
                       [dict(coach_id=c, consultation_type_id=ctype.id) for c in coach_ids])
    db.session.execute(sa.insert(WeeklyHours), [
        dict(coach_id=c, weekday=d, start_time=s, end_time=e, consultation_type_ids=None)
        for c in coach_ids for d in range(5) for s, e in ((time(9), time(13)), (time(14), time(18)))])
    print(f"seeding {COACHES * BOOKINGS_PER_COACH} bookings ...", flush=True)
    rows = [_booking(coach_id, ctype, customer.id, n, start)
            for coach_id in coach_ids for n, start in enumerate(_booking_starts(random.Random(coach_id)))]
    for chunk in range(0, len(rows), 1000):
        db.session.execute(sa.insert(Booking), rows[chunk:chunk + 1000])
        print(f"  {min(chunk + 1000, len(rows))}/{len(rows)}", flush=True)
    db.session.flush()
    db.session.execute(sa.text("ANALYZE"))
    print(f"seeded in {clock.perf_counter() - started:.1f} s", flush=True)
    return list(coach_ids), ctype.id


def _booking_starts(rng: random.Random) -> list[datetime]:
    """30 one-hour bookings on June workdays that never overlap (with their 10-minute buffer)."""
    zone = ZoneInfo(COACH_ZONE)
    workdays = [date(YEAR, MONTH, d) for d in range(1, 31) if date(YEAR, MONTH, d).weekday() < 5]
    choices = [(day, hour) for day in workdays for hour in (9, 11, 14, 16)]
    picked = rng.sample(choices, BOOKINGS_PER_COACH)
    return [datetime.combine(day, time(hour), tzinfo=zone).astimezone(timezone.utc) for day, hour in picked]


def _booking(coach_id: int, ctype, customer_id: int, n: int, start: datetime) -> dict:
    end = start + timedelta(minutes=60)
    return dict(number=f"CB-B{coach_id:05d}-{n:04d}", customer_id=customer_id, customer_name="Bench customer",
                customer_email="bench@example.com", customer_phone="", consultation_type_id=ctype.id,
                type_title_en=ctype.title_en, type_title_ar="", type_category=ctype.category, coach_id=coach_id,
                starts_at=start, ends_at=end, busy_from=start, busy_until=end + timedelta(minutes=10),
                exclusive=True, duration_minutes=60, timezone=VIEWER_ZONE, meeting_type="online",
                amount=Decimal("90.00"), currency="USD", payment_status="paid", status="confirmed",
                created_at=NOW, updated_at=NOW, reschedule_count=0, follow_up_required=False, source="web")


# --------------------------------------------------------------------------- measuring


def measure(call: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """p50 and p95 wall time and p50 CPU time of this process, in ms, of `runs` calls after a warm-up.

    Wall time includes waiting for PostgreSQL; on a busy machine it grows with the load
    average while the CPU figure does not, which tells the two apart.
    """
    for _ in range(min(10, runs)):
        call()
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = clock.perf_counter_ns(), clock.process_time_ns()
        call()
        wall.append((clock.perf_counter_ns() - started) / 1e6)
        cpu.append((clock.process_time_ns() - started_cpu) / 1e6)
    return statistics.median(wall), statistics.quantiles(wall, n=20)[-1], statistics.median(cpu)


def report(coach_ids: list[int], type_id: int, runs: int, overview_runs: int) -> None:
    from bookingadmin.catalog.models import ConsultationType

    coach_id = coach_ids[0]
    first, last = date(YEAR, MONTH, 1), date(YEAR, MONTH, 30)
    settings = services.type_settings(db.session.get(ConsultationType, type_id))
    schedule = services.coach_schedule(coach_id, first - timedelta(days=2), last + timedelta(days=2), now=NOW)
    common = dict(consultation_type_id=type_id, duration_minutes=60, viewer_tz=VIEWER_ZONE, now=NOW)
    times = len(engine.bookable_times(schedule, settings, 60, first, last, VIEWER_ZONE, NOW))
    print(f"\ncoach-month: {len(schedule.busy)} bookings, {times} bookable times, step 15 min, "
          f"{runs} runs (python {sys.version.split()[0]}, PostgreSQL, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f})")
    figures = [
        ("engine alone: bookable_times", lambda: engine.bookable_times(schedule, settings, 60, first, last,
                                                                         VIEWER_ZONE, NOW), runs),
        ("engine alone: available_dates", lambda: engine.available_dates(schedule, settings, 60, YEAR, MONTH,
                                                                           VIEWER_ZONE, NOW), runs),
        ("with queries: bookable_times", lambda: services.bookable_times(coach_id=coach_id, start=first, end=last,
                                                                           **common), runs),
        ("with queries: available_dates", lambda: services.available_dates(coach_id=coach_id, year=YEAR,
                                                                             month=MONTH, **common), runs),
        (f"{len(coach_ids)} coaches: available dates", lambda: services.available_dates_by_coach(
            coach_ids=coach_ids, year=YEAR, month=MONTH, **common), overview_runs),
    ]
    for label, call, n in figures:
        p50, p95, cpu = measure(call, n)
        print(f"{label:<36} p50 {p50:8.3f} ms   p95 {p95:8.3f} ms   (cpu p50 {cpu:7.3f} ms)", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
