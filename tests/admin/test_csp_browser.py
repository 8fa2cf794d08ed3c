"""In headless Chromium under the strict CSP: the main pages report no violation, and the behaviour
that used inline script (selects that submit, Flask-Admin filters, bulk actions, inline rows) works."""
from __future__ import annotations

import pytest

from tests.factories import local_time
from tests.support.csp import violations, watch_csp
from tests.support.services import LiveServer, artifact_path, chromium_available, launch_chromium, require_service

pytestmark = pytest.mark.browser


@pytest.fixture
def app(pg_app):
    return pg_app


def _log_in(page, live, user):
    page.goto(f"{live.url}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "correct-horse")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_main_pages_run_under_the_csp_without_a_violation(app, office, make_booking):
    require_service("chromium", chromium_available)
    sync_api = pytest.importorskip("playwright.sync_api")
    pending = make_booking("pending_confirmation", starts_at=local_time(office.coach, days=4, at="12:00"))
    ctype = office.cat.paid
    with LiveServer(app) as live, sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, timezone_id="Europe/London")
            page.set_default_timeout(20_000)
            reports = watch_csp(page)
            for path in ("/", f"/consultations/{ctype.number}", "/login", "/register"):
                page.goto(live.url + path)
            page.goto(f"{live.url}/book/{ctype.number}")
            page.wait_for_url("**tz=Europe*")  # the static script picked up the browser's zone
            page.select_option("#duration", "30")  # a select submits its form without inline onchange
            page.wait_for_url("**duration=30*")

            _log_in(page, live, office.admin)
            page.goto(f"{live.url}/admin/bookings/")
            page.click("text=Add Filter")
            page.click("a.filter >> nth=0")
            page.wait_for_selector("#filter-form table tr, table.filters tr")  # filters.js added a row
            page.check(f'input.action-checkbox[value="{pending.id}"]')
            page.click("text=With selected")
            page.click('[data-model-action="confirm"]')
            page.wait_for_url("**/action/**")
            assert pending.number in page.content()  # the bulk review page lists the chosen booking

            page.goto(f"{live.url}/admin/consultation_types/new/")
            before = page.locator(".inline-field-list > .inline-field").count()
            page.click("[data-inline-add]")
            assert page.locator(".inline-field-list > .inline-field").count() == before + 1

            page.goto(f"{live.url}/admin/calendar/")
            page.select_option("select[name=coach]", str(office.other_coach.id))
            page.wait_for_url(f"**coach={office.other_coach.id}*")
            for path in ("/admin/", "/admin/analytics/", "/admin/customers/", "/admin/audit/", "/admin/users/",
                         f"/admin/availability/?coach={office.coach.id}"):
                page.goto(live.url + path)
            page.screenshot(path=str(artifact_path("csp-backoffice.png")), full_page=True)
            assert violations(page, reports) == []
        finally:
            browser.close()
