"""In headless Chromium: an admin logs in, confirms a pending booking from the list, opens analytics."""
from __future__ import annotations

import pytest

from bookingadmin.analytics.rollup import refresh_analytics
from bookingadmin.bookings.models import Booking
from bookingadmin.extensions import db
from tests.factories import local_time
from tests.support.csp import violations, watch_csp
from tests.support.services import LiveServer, artifact_path, chromium_available, launch_chromium, require_service

pytestmark = pytest.mark.browser


@pytest.fixture
def app(pg_app):
    """Once, on PostgreSQL (the live server's threads each open their own session)."""
    return pg_app


def test_admin_confirms_from_the_list_and_sees_the_charts(app, office, make_booking):
    require_service("chromium", chromium_available)
    sync_api = pytest.importorskip("playwright.sync_api")
    pending = make_booking("pending_confirmation")
    for days, status in ((-2, "completed"), (-3, "completed"), (-4, "no_show"), (-5, "cancelled")):
        make_booking(status, starts_at=local_time(office.coach, days=days, at="11:00"))
    refresh_analytics(full=True)
    db.session.commit()

    with LiveServer(app) as live, sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            csp_reports = watch_csp(page)
            page.goto(f"{live.url}/login")
            page.fill("input[name=email]", office.admin.email)
            page.fill("input[name=password]", "correct-horse")
            page.click("button[type=submit]")
            page.wait_for_url(f"{live.url}/admin/**")

            page.goto(f"{live.url}/admin/bookings/?flt0_status_equals=pending_confirmation")
            button = page.locator(f'button[data-action="confirm"][data-number="{pending.number}"]')
            button.click()
            page.wait_for_selector("text=is confirmed")
            assert "/admin/bookings/?" in page.url  # back on the filtered list, the booking gone from it
            assert page.locator(f'text="{pending.number}"').count() == 0
            page.screenshot(path=str(artifact_path("backoffice-confirmed.png")), full_page=True)
            db.session.expire_all()
            assert db.session.get(Booking, pending.id).status == "confirmed"

            page.goto(f"{live.url}/admin/analytics/?start={local_time(office.coach, days=-10).date()}"
                      f"&end={local_time(office.coach, days=0).date()}")
            page.wait_for_function("window.baCharts && Object.keys(window.baCharts).length >= 9")
            drawn = page.evaluate("""() => Object.values(window.baCharts).map(chart => {
                const canvas = chart.canvas, ctx = canvas.getContext('2d');
                const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
                let painted = 0;
                for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { painted++; } }
                return {key: canvas.id, width: chart.chartArea ? chart.chartArea.width : 0, painted};
            })""")
            page.screenshot(path=str(artifact_path("backoffice-analytics.png")), full_page=True)
            assert violations(page, csp_reports) == []  # charts and Flask-Admin's scripts run under the CSP
        finally:
            browser.close()
    assert len(drawn) >= 9
    for chart in drawn:
        assert chart["width"] > 0 and chart["painted"] > 100, chart
