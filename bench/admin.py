"""Back-office speed on a big table: 1,000,000 bookings on PostgreSQL, whole HTTP responses.

Seeds (once; `--reseed` to start again) a database with 60 coaches, 8 consultation types, 50,000
customers and 1,000,000 bookings spread over about 3.8 years (12 a day per coach, 08:00-19:00 on
the Riyadh clock). Past bookings are completed / cancelled / no-show; future ones are active
only every other hour, so the exclusion constraint on active exclusive bookings never trips.
Bookings go in with INSERT ... SELECT over generate_series, in chunks, with a progress bar.

Then, signed in as an admin through the Flask test client (the whole response: routing, session,
queries, template), it times each page and prints p50 / p95 in milliseconds:

    python bench/admin.py [--rows 1000000] [--runs 30] [--reseed] [--url postgresql+psycopg://...]

Targets: p50 <= 50 ms for the list pages, <= 100 ms for the dashboard and analytics.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time as clock
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bookingadmin import create_app  # noqa: E402
from bookingadmin.extensions import db  # noqa: E402

SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
DEFAULT_URL = os.environ.get("BENCH_DATABASE_URL", SERVER.rsplit("/", 1)[0] + "/bookingadmin_bench")
COACHES, CUSTOMERS, PER_DAY = 60, 50_000, 12
ADMIN_EMAIL, PASSWORD = "bench-admin@example.com", "bench-password-1"
CHUNK = 50_000

# title, category, currency, price per hour, durations (two), exclusive (one-to-one)
TYPES = [
    ("Personal training", "sports", "USD", "90.00", (30, 60), True),
    ("Life coaching session", "life_coaching", "SAR", "190.00", (45, 60), True),
    ("Group mobility workshop", "group", "USD", "40.00", (60, 90), False),
    ("VIP transformation", "vip", "USD", "300.00", (60, 90), True),
    ("Nutrition plan review", "nutrition", "EGP", "900.00", (30, 60), True),
    ("Free discovery call", "life_coaching", "USD", "0.00", (15, 30), True),
    ("Strength assessment", "sports", "SAR", "250.00", (45, 60), True),
    ("Stress and sleep coaching", "life_coaching", "EGP", "700.00", (45, 60), True),
]

BOOKINGS_SQL = """
WITH s AS (
    SELECT i, i % :coaches AS c, i / :coaches AS k, (i::bigint * 2654435761) % 4294967296 AS h
    FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint) - 1) AS i
), t AS (
    SELECT s.*, CAST(:t0 AS timestamptz) + (k / :per_day) * interval '1 day' + (k % :per_day) * interval '1 hour'
                + (c % 4) * interval '5 minutes' AS starts_at,
           (h % 8)::int AS ti, (h / 8 % 100)::int AS r1, (h / 800 % 100)::int AS r2,
           (h / 80000 % 100)::int AS r3, (k % :per_day)::int AS slot,
           ((i::bigint * 2246822519 + 3266489917) % 4294967296 % :customers)::int AS cu
    FROM s
), u AS (
    SELECT t.*, bt.*, CASE WHEN t.r2 < 50 THEN bt.d1 ELSE bt.d2 END AS duration,
           CASE WHEN t.starts_at < CAST(:now AS timestamptz) THEN
                    CASE WHEN t.r1 < 80 THEN 'completed' WHEN t.r1 < 92 THEN 'cancelled' ELSE 'no_show' END
                WHEN t.slot % 2 = 0 THEN
                    CASE WHEN t.r1 < 65 THEN 'confirmed' WHEN t.r1 < 80 THEN 'pending_confirmation'
                         WHEN t.r1 < 85 THEN 'pending_payment' WHEN t.r1 < 90 THEN 'rescheduled' ELSE 'cancelled' END
                ELSE 'cancelled' END AS status,
           (t.r3 % 30 + 1) * interval '1 day' + t.r2 * interval '7 minutes' AS lead
    FROM t JOIN bench_types bt ON bt.idx = t.ti
), v AS (
    SELECT u.*, u.starts_at - u.lead AS created,
           CASE WHEN u.status = 'pending_payment' THEN 'unpaid'
                WHEN u.price = 0 THEN 'not_required'
                WHEN u.status = 'cancelled' THEN CASE WHEN u.r2 < 40 THEN 'refunded' WHEN u.r2 < 60 THEN 'paid'
                                                      ELSE 'unpaid' END
                WHEN u.status = 'completed' AND u.r3 < 3 THEN 'partially_refunded'
                ELSE 'paid' END AS pay
    FROM u
)
INSERT INTO bookings (number, customer_id, customer_name, customer_email, customer_phone, consultation_type_id,
    type_title_en, type_title_ar, type_category, coach_id, starts_at, ends_at, busy_from, busy_until, exclusive,
    duration_minutes, timezone, meeting_type, amount, currency, payment_status, payment_method, status,
    hold_expires_at, created_at, updated_at, paid_at, confirmed_at, completed_at, no_show_at, cancelled_at,
    cancellation_reason, cancelled_by, reschedule_count, follow_up_required, feedback_rating, feedback_at, source)
SELECT 'CB-' || to_char(created, 'YYYYMMDD') || '-' || lpad(upper(to_hex(i)), 5, '0'),
    :first_customer + cu, 'Customer ' || cu, 'customer' || cu || '@example.com', '+9665' || lpad(cu::text, 8, '0'),
    type_id, title_en, title_ar, category, bc.coach_id, starts_at, starts_at + duration * interval '1 minute',
    starts_at, starts_at + duration * interval '1 minute', exclusive, duration, 'Asia/Riyadh',
    CASE WHEN r3 < 80 THEN 'online' ELSE 'in_person' END, round(price * duration / 60.0, 2), currency, pay,
    CASE WHEN pay IN ('paid', 'partially_refunded', 'refunded') THEN 'stripe'
         WHEN pay = 'not_required' THEN 'free' END,
    status, CASE WHEN status = 'pending_payment' THEN created + interval '15 minutes' END, created,
    LEAST(CAST(:now AS timestamptz), starts_at + interval '2 hours'),
    CASE WHEN pay IN ('paid', 'partially_refunded', 'refunded') THEN created + interval '5 minutes' END,
    CASE WHEN status IN ('confirmed', 'completed', 'no_show', 'rescheduled')
         THEN created + interval '5 minutes' + CASE WHEN category = 'vip' THEN r2 * interval '3 minutes'
                                                     ELSE interval '0' END END,
    CASE WHEN status = 'completed' THEN starts_at + duration * interval '1 minute' + interval '5 minutes' END,
    CASE WHEN status = 'no_show' THEN starts_at + duration * interval '1 minute' + interval '5 minutes' END,
    CASE WHEN status = 'cancelled' THEN created + lead / 2 END,
    CASE WHEN status = 'cancelled' THEN 'Plans changed' END,
    CASE WHEN status = 'cancelled' THEN (ARRAY['customer', 'staff', 'system'])[r3 % 3 + 1] END,
    CASE WHEN status = 'rescheduled' THEN 1 ELSE 0 END, r3 = 7,
    CASE WHEN status = 'completed' AND r2 < 40 THEN (ARRAY[2, 3, 3, 4, 4, 4, 5, 5, 5, 5])[r3 % 10 + 1] END,
    CASE WHEN status = 'completed' AND r2 < 40 THEN starts_at + interval '1 day' END,
    CASE WHEN r3 < 70 THEN 'web' WHEN r3 < 90 THEN 'mobile' WHEN r3 < 97 THEN 'admin' ELSE 'api' END
FROM v JOIN bench_coaches bc ON bc.idx = v.c
"""


def progress(done: int, total: int, started: float) -> None:
    width = 40
    filled = int(width * done / total)
    rate = done / max(clock.perf_counter() - started, 1e-9)
    sys.stdout.write(f"\r  bookings [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,} "
                     f"({rate:,.0f} rows/s)")
    sys.stdout.flush()


def ensure_database(url: str, reseed: bool) -> None:
    name = url.rsplit("/", 1)[1]
    server = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and reseed:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = False
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()


def seed(app, rows: int) -> None:
    from flask_migrate import upgrade

    from bookingadmin.auth.models import User
    from bookingadmin.auth.services import create_user
    from bookingadmin.availability.models import WeeklyHours
    from bookingadmin.catalog.models import CoachProfile, ConsultationType, DurationOption

    upgrade()
    have = db.session.scalar(sa.text("SELECT count(*) FROM bookings"))
    if have >= rows:
        print(f"database already holds {have:,} bookings (use --reseed to start again)")
        return
    if have:
        raise SystemExit(f"the bench database holds {have:,} bookings, fewer than {rows:,}: run with --reseed")
    started = clock.perf_counter()
    admin = create_user(email=ADMIN_EMAIL, name="Bench Admin", password=PASSWORD, role="admin",
                        timezone="Asia/Riyadh")
    types = []
    for n, (title, category, currency, price, durations, exclusive) in enumerate(TYPES):
        ctype = ConsultationType(number=500 + n, title_en=title, title_ar=title, category=category, currency=currency,
                                 capacity=1 if exclusive else 6, max_bookings_per_day=None,
                                 requires_approval=category == "vip")
        ctype.duration_options = [DurationOption(minutes=m, price=Decimal(price) * m / 60, is_default=i == 0)
                                  for i, m in enumerate(durations)]
        db.session.add(ctype)
        types.append(ctype)
    db.session.flush()
    hash_ = admin.password_hash
    coaches = []
    for n in range(COACHES):
        user = User(email=f"coach{n}@example.com", name=f"Coach {n:02d}", role="coach", password_hash=hash_,
                    timezone="Asia/Riyadh")
        coach = CoachProfile(user=user, display_name_en=f"Coach {n:02d}", slug=f"coach-{n:02d}",
                             timezone="Asia/Riyadh", consultation_types=types)
        db.session.add(coach)
        coaches.append(coach)
    db.session.flush()
    for coach in coaches:
        for weekday in range(7):
            db.session.add(WeeklyHours(coach_id=coach.id, weekday=weekday, start_time=time(8), end_time=time(20)))
    db.session.execute(sa.text(
        "INSERT INTO users (email, name, phone, password_hash, role, language, timezone, active, created_at, "
        "updated_at) SELECT 'customer' || n || '@example.com', 'Customer ' || n, '+9665' || lpad(n::text, 8, '0'), "
        ":hash, 'customer', 'en', 'Asia/Riyadh', true, now() - n * interval '30 minutes', now() "
        "FROM generate_series(0, :n - 1) AS n"), {"hash": hash_, "n": CUSTOMERS})
    first, last = db.session.execute(sa.text("SELECT min(id), max(id) FROM users WHERE role = 'customer'")).one()
    assert last - first + 1 == CUSTOMERS, "customer ids must be consecutive"
    db.session.execute(sa.text("CREATE TABLE bench_coaches (idx int PRIMARY KEY, coach_id int)"))
    db.session.execute(sa.text("INSERT INTO bench_coaches VALUES (:i, :c)"),
                       [{"i": i, "c": c.id} for i, c in enumerate(coaches)])
    db.session.execute(sa.text(
        "CREATE TABLE bench_types (idx int PRIMARY KEY, type_id int, title_en text, title_ar text, category text, "
        "currency text, price numeric, d1 int, d2 int, exclusive boolean)"))
    db.session.execute(sa.text("INSERT INTO bench_types VALUES (:i, :t, :title, :title, :cat, :cur, :price, :d1, :d2, :ex)"),
                       [{"i": i, "t": t.id, "title": spec[0], "cat": spec[1], "cur": spec[2], "price": Decimal(spec[3]),
                         "d1": spec[4][0], "d2": spec[4][1], "ex": spec[5]} for i, (t, spec) in enumerate(zip(types, TYPES))])
    db.session.commit()
    print(f"catalog, {COACHES} coaches and {CUSTOMERS:,} customers in {clock.perf_counter() - started:.1f} s")

    now = datetime.now(timezone.utc)
    days = rows // (COACHES * PER_DAY) + 1
    today = now.astimezone(timezone(timedelta(hours=3))).date()
    # 08:00 Riyadh on the first day, so that about 60 days lie ahead of today.
    t0 = datetime.combine(today - timedelta(days=days - 60), time(5), tzinfo=timezone.utc)
    started = clock.perf_counter()
    for lo in range(0, rows, CHUNK):
        hi = min(lo + CHUNK, rows)
        db.session.execute(sa.text(BOOKINGS_SQL), {"lo": lo, "hi": hi, "coaches": COACHES, "per_day": PER_DAY,
                                                   "customers": CUSTOMERS, "t0": t0, "now": now,
                                                   "first_customer": first})
        db.session.commit()
        progress(hi, rows, started)
    print(f"\n  {rows:,} bookings in {clock.perf_counter() - started:.1f} s")
    db.session.execute(sa.text("DROP TABLE bench_coaches; DROP TABLE bench_types"))
    db.session.commit()
    started = clock.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    print(f"VACUUM ANALYZE in {clock.perf_counter() - started:.1f} s")


def refresh_rollups(app) -> None:
    from bookingadmin.analytics.rollup import refresh_analytics

    started = clock.perf_counter()
    result = refresh_analytics(full=True)
    db.session.commit()
    print(f"flask refresh-analytics --full: {result.days:,} days in {clock.perf_counter() - started:.1f} s")
    db.session.execute(sa.text("UPDATE bookings SET updated_at = now(), admin_notes = 'touched' "
                               "WHERE id IN (SELECT id FROM bookings ORDER BY id DESC LIMIT 200)"))
    db.session.commit()
    started = clock.perf_counter()
    result = refresh_analytics()
    db.session.commit()
    print(f"flask refresh-analytics (200 bookings changed): {result.days} days in "
          f"{(clock.perf_counter() - started) * 1000:.0f} ms")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE analytics_booking_days, analytics_start_hours, analytics_coach_days"))


def login(client):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, "admin login failed"


def deep_cursor(status: str, low: datetime, high: datetime, offset: int) -> str:
    from bookingadmin.admin.keyset import encode_cursor

    starts_at, booking_id = db.session.execute(sa.text(
        "SELECT starts_at, id FROM bookings WHERE status = :s AND starts_at >= :lo AND starts_at < :hi "
        "ORDER BY starts_at DESC, id DESC OFFSET :o LIMIT 1"), {"s": status, "lo": low, "hi": high, "o": offset}).one()
    return encode_cursor(starts_at, booking_id)


def time_page(client, url: str, runs: int) -> tuple[float, float, int]:
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
    samples = []
    for _ in range(runs):
        started = clock.perf_counter()
        response = client.get(url)
        response.get_data()
        samples.append((clock.perf_counter() - started) * 1000)
        assert response.status_code == 200
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))], \
        len(response.get_data())


def measure(app, runs: int) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Riyadh")
    today = datetime.now(timezone.utc).astimezone(zone).date()
    first, last = today - timedelta(days=90), today
    low = datetime.combine(first, time(0), tzinfo=zone)
    high = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    filtered = f"/admin/bookings/?flt0_status_equals=completed&flt1_date_between={first}+to+{last}"
    matching = db.session.scalar(sa.text("SELECT count(*) FROM bookings WHERE status = 'completed' "
                                         "AND starts_at >= :lo AND starts_at < :hi"), {"lo": low, "hi": high})
    deep_row = max(matching - 40, 0)
    deep = f"{filtered}&after={deep_cursor('completed', low, high, deep_row)}" if matching else filtered
    year_ago = today - timedelta(days=364)
    pages = [
        ("bookings list, status + 90-day range, first page", filtered, 50),
        (f"bookings list, status + 90-day range, deep page (row {deep_row:,} of {matching:,})", deep, 50),
        ("bookings list, no filter, first page", "/admin/bookings/", 50),
        ("bookings list, search by email", "/admin/bookings/?search=customer4242@example.com", 50),
        ("dashboard", "/admin/", 100),
        ("analytics, default 90 days", "/admin/analytics/", 100),
        ("analytics, 1 year, one coach", f"/admin/analytics/?start={year_ago}&end={today}&coach="
         + str(db.session.scalar(sa.text("SELECT min(id) FROM coach_profiles"))), 100),
        ("analytics, 1 year", f"/admin/analytics/?start={year_ago}&end={today}", 100),
    ]
    client = app.test_client()
    login(client)
    print(f"\n{'page':<72} {'p50 ms':>8} {'p95 ms':>8} {'target':>7} {'KB':>6}")
    for name, url, target in pages:
        p50, p95, size = time_page(client, url, runs)
        flag = "ok" if p50 <= target else "SLOW"
        print(f"{name:<72} {p50:>8.1f} {p95:>8.1f} {target:>5} {flag:<3}{size / 1024:>5.0f}")
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reseed", action="store_true", help="drop the bench database and seed it again")
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()
    ensure_database(args.url, args.reseed)
    app = create_app({"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": args.url, "SECRET_KEY": "bench",
                      "DATA_ENCRYPTION_KEYS": "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=",
                      "ANALYTICS_TIMEZONE": "Asia/Riyadh", "SESSION_COOKIE_SECURE": False,
                      "INSTANCE_DIR": "/tmp/bookingadmin-bench"})
    with app.app_context():
        version = db.session.scalar(sa.text("SHOW server_version"))
        print(f"PostgreSQL {version}, {args.url.rsplit('@', 1)[-1]}")
        seed(app, args.rows)
        total = db.session.scalar(sa.text("SELECT count(*) FROM bookings"))
        print(f"bookings: {total:,}")
        refresh_rollups(app)
        measure(app, args.runs)


if __name__ == "__main__":
    main()
