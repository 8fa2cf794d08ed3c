"""Fixtures for background jobs: a real SMTP server, the machine's Redis (own queue prefix per test)
and an in-process RQ burst worker, plus helpers to read the .eml outbox."""
from __future__ import annotations

import os
import uuid

import pytest

from tests.support.services import SMTPServer, require_service

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SESSION_PREFIX = f"ba-test-{os.getpid()}-{uuid.uuid4().hex[:6]}-"


@pytest.fixture
def smtp(app):
    """A real SMTP server on 127.0.0.1 and the app pointed at it."""
    with SMTPServer() as server:
        app.config.update(MAIL_SERVER=server.host, MAIL_PORT=server.port, MAIL_USE_TLS=False,
                          MAIL_USERNAME=None)
        yield server


@pytest.fixture(scope="session")
def shared_redis():
    """The machine's Redis at 127.0.0.1:6379 (a failure under CI=true when it is missing)."""
    import redis

    def ping():
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()

    require_service("Redis at 127.0.0.1:6379", ping)
    conn = redis.Redis.from_url(REDIS_URL)
    yield conn
    for key in conn.scan_iter(f"*{SESSION_PREFIX}*", count=500):
        conn.delete(key)


@pytest.fixture
def rq_app(app, shared_redis):
    """The app sending jobs to the shared Redis under queue names nobody else uses."""
    prefix = f"{SESSION_PREFIX}{uuid.uuid4().hex[:6]}-"
    app.config.update(REDIS_URL=REDIS_URL, RQ_QUEUE_PREFIX=prefix)
    app.extensions.pop("bookingadmin_redis", None)
    yield app
    for key in shared_redis.scan_iter(f"*{prefix}*", count=500):
        shared_redis.delete(key)
    app.config.update(REDIS_URL=None)
