import pytest

from tests.notifications.conftest import rq_app, shared_redis, smtp  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def render_pdfs_in_the_job(request):
    """Receipt tests read what the render job stored: it renders for real here (tests/conftest.py defers it)."""
    for name in ("app", "pg_app"):
        if name in request.fixturenames:
            request.getfixturevalue(name).config["RECEIPTS_DEFER_PDF"] = False
