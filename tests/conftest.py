"""Shared fixtures. Every test that takes `app` runs on SQLite and on PostgreSQL.

Each test session gets its own PostgreSQL database (so parallel runs never collide), built once
by the real Alembic migrations; tables are emptied after each test. With CI=true a missing
PostgreSQL fails the run instead of skipping.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, request_started

from bookingadmin import create_app
from bookingadmin.extensions import db

PG_SERVER_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
BACKENDS = ("sqlite", "postgresql")


def require_service(name: str, reason: str) -> None:
    """Skip locally, fail in CI: CI must never go green without the real service."""
    message = f"{name} is not available: {reason}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _pg_url(database: str) -> str:
    return PG_SERVER_URL.rsplit("/", 1)[0] + "/" + database


class _Databases:
    """Creates each backend's database on first use and migrates it with Alembic."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.urls: dict[str, str] = {}
        self.pg_name = f"ba_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    def url(self, backend: str) -> str:
        if backend not in self.urls:
            self.urls[backend] = self._create(backend)
        return self.urls[backend]

    def _create(self, backend: str) -> str:
        if backend == "sqlite":
            url = f"sqlite:///{self.tmp / 'test.db'}"
        else:
            try:
                server = sa.create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
                with server.connect() as conn:
                    conn.execute(sa.text(f'CREATE DATABASE "{self.pg_name}"'))
                server.dispose()
            except sa.exc.OperationalError as exc:
                require_service("PostgreSQL", str(exc).splitlines()[0])
            url = _pg_url(self.pg_name)
        app = make_app(url, self.tmp)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            db.engine.dispose()
        return url

    def drop(self) -> None:
        """DROP DATABASE waits for a checkpoint (up to ~40 s on a busy server): a detached process does
        it, so the run ends without waiting for it."""
        if "postgresql" in self.urls:
            import subprocess
            import sys

            subprocess.Popen([sys.executable, "-c", _DROP_SCRIPT, PG_SERVER_URL, self.pg_name],
                             start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)


_DROP_SCRIPT = """
import sys
import sqlalchemy as sa
server = sa.create_engine(sys.argv[1], isolation_level="AUTOCOMMIT")
with server.connect() as conn:
    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)'))
"""


def make_app(database_url: str, instance_dir: Path, **overrides):
    # Receipt PDFs (~0.25 s each) are made only in tests that read them: a download renders one, and
    # tests marked `receipt_pdf` have the render job and email attachments make them too.
    config = {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
              "INSTANCE_DIR": str(instance_dir), "MAIL_OUTBOX_DIR": str(instance_dir / "outbox"),
              "RECEIPTS_ENABLED": True, "RECEIPTS_DEFER_PDF": True}
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = _Databases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.drop()


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def _fresh_g(sender, **_extra) -> None:
    """A new `g` for every request, as in production.

    Tests keep one app context pushed around their requests, and Flask reuses it for each request,
    so without this the signed-in user (Flask-Login keeps it in g), the CSRF token and the rate-limit
    bookkeeping of one request, or of another test client, would leak into the next.
    """
    g.__dict__.clear()


def _app_for(backend: str, databases, tmp_path):
    app = make_app(databases.url(backend), tmp_path)
    with app.app_context():
        from bookingadmin.extensions import limiter

        limiter.reset()  # sign-in throttling stays on in tests; each test starts with clean counters
        request_started.connect(_fresh_g, app)
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture(params=BACKENDS)
def app(request, databases, tmp_path):
    """The app on each backend, tables empty, an app context pushed."""
    yield from _app_for(request.param, databases, tmp_path)


@pytest.fixture(autouse=True)
def receipt_pdfs(request):
    """`@pytest.mark.receipt_pdf`: the render job stores each receipt's PDF and emails attach it."""
    if request.node.get_closest_marker("receipt_pdf"):
        for name in ("app", "pg_app"):
            if name in request.fixturenames:
                request.getfixturevalue(name).config["RECEIPTS_DEFER_PDF"] = False


@pytest.fixture
def pg_app(databases, tmp_path):
    """The app on PostgreSQL only (row locks, exclusion constraints, real concurrency)."""
    yield from _app_for("postgresql", databases, tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Factory: make_user(role="coach", email=...) -> User (committed)."""
    from bookingadmin.auth.services import create_user

    counter = iter(range(1, 10_000))

    def factory(role: str = "customer", password: str = "correct-horse", **fields):
        n = next(counter)
        fields.setdefault("email", f"{role}{n}@example.com")
        fields.setdefault("name", f"{role.title()} {n}")
        user = create_user(role=role, password=password, **fields)
        db.session.commit()
        return user

    return factory


class AuthActions:
    """Logs a test client in and out through the real forms (CSRF token included)."""

    def __init__(self, client):
        self.client = client

    def csrf_token(self, path: str = "/login") -> str:
        import re

        page = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, email: str, password: str = "correct-horse"):
        token = self.csrf_token("/login")
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        token = self.csrf_token("/")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


# --------------------------------------------------------------------------- catalog and booking factories
# Functions that build committed rows through the real services; see tests/factories.py.


@pytest.fixture
def factories(app, make_user):
    from tests.factories import Factories

    return Factories(make_user)


@pytest.fixture
def make_coach(factories):
    """make_coach(timezone="Africa/Cairo", hours=[(0, "09:00", "17:00")], types=[...]) -> CoachProfile."""
    return factories.coach


@pytest.fixture
def make_type(factories):
    """make_type(coaches=[coach], options=[(30, "50.00"), (60, "90.00")], capacity=1, ...) -> ConsultationType."""
    return factories.type


@pytest.fixture
def make_slot(factories):
    """make_slot(coach, day=date(...), start="10:00", end="11:00", capacity=3, ctype=None) -> Slot."""
    return factories.slot


@pytest.fixture
def make_catalog(factories):
    """make_catalog(timezone="Asia/Riyadh") -> Catalog(coach, coach_user, paid, free, approval, group, customer)."""
    return factories.catalog


@pytest.fixture
def make_booking(factories):
    """make_booking("completed", starts_at=..., customer=..., ctype=..., coach=...) -> Booking (committed)."""
    return factories.booking


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgres_only` / `sqlite_only` tests taking `app` run on that backend's parameter only.

    Tests that drive Chromium run on one worker under `-n 2 --dist loadgroup` (two browsers at once
    on two cores only slow each other down)."""
    keep, drop = [], []
    for item in items:
        if item.get_closest_marker("browser") or "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("browser"))
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("app") if callspec is not None else None
        unwanted = {"sqlite": "postgres_only", "postgresql": "sqlite_only"}.get(backend)
        (drop if unwanted and item.get_closest_marker(unwanted) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# --------------------------------------------------------------------------- no surprise emails


class UnexpectedSMTP(RuntimeError):
    """A test opened a real SMTP connection it did not ask for."""


class SMTPGuard:
    """Refuses and records SMTP connections (smtplib.SMTP / SMTP_SSL share `connect`)."""

    def __init__(self):
        self.attempts: list[tuple[str, int]] = []

    def install(self, monkeypatch) -> None:
        import smtplib

        guard = self

        def refuse(client, host="localhost", port=0, source_address=None):
            guard.attempts.append((host, port))
            raise UnexpectedSMTP(f"a real SMTP connection to {host}:{port} in a test that did not ask for one "
                                 "(use the `smtp` fixture, or mark it @pytest.mark.allow_smtp)")

        monkeypatch.setattr(smtplib.SMTP, "connect", refuse)


@pytest.fixture(autouse=True)
def smtp_guard(request, monkeypatch):
    """Fails any test that opens a real SMTP connection without asking: by taking the `smtp`
    fixture (the aiosmtpd server) or by the `allow_smtp` marker (a closed port on purpose).
    The attempt is refused and the test fails even when the code under test catches the error
    (the outbox would only retry it)."""
    guard = SMTPGuard()
    if "smtp" in request.fixturenames or request.node.get_closest_marker("allow_smtp"):
        yield guard
        return
    guard.install(monkeypatch)
    yield guard
    if guard.attempts:
        pytest.fail(f"unexpected SMTP connection(s): {guard.attempts}", pytrace=False)
