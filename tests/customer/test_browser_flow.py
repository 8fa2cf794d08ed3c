"""The whole customer journey in headless Chromium (Debian's), paying with localstripe's Stripe.js."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db
from bookingadmin.payments.models import Refund
from tests.payments.conftest import WEBHOOK_SECRET
from tests.support.csp import violations, watch_csp
from tests.support.services import LiveServer, artifact_path, launch_chromium, require_service


@pytest.mark.browser
@pytest.mark.sqlite_only  # one backend is enough for the browser journey
@pytest.mark.parametrize("language", ["en", "ar"])
def test_browse_book_register_pay_and_cancel(stripe_app, make_catalog, localstripe, language):
    sync_api = pytest.importorskip("playwright.sync_api")
    cat = make_catalog()
    price = str(cat.paid.default_option.price)  # the wizard preselects the default duration
    with LiveServer(stripe_app) as live, sync_api.sync_playwright() as p:
        localstripe.register_webhook(live.url + "/stripe/webhook", WEBHOOK_SECRET)
        browser = require_service("chromium", lambda: launch_chromium(p))
        page = browser.new_page(timezone_id="Europe/London", locale=language)
        page.set_default_timeout(20_000)
        csp_reports = watch_csp(page)  # the journey runs under the strict CSP: nothing may be refused
        try:
            page.goto(f"{live.url}/language/{language}?next=/")
            assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
            page.click(f'[data-type="{cat.paid.number}"] a')
            page.click('[data-testid="book-now"]')
            page.wait_for_url("**tz=Europe*")  # the browser's zone was picked up
            target = (utcnow() + timedelta(days=4)).astimezone(ZoneInfo("Europe/London")).date()
            if not page.query_selector(f'.calendar a.day[data-date="{target.isoformat()}"]'):
                page.click('[data-testid="next-month"]')
            page.click(f'.calendar a.day.bookable[data-date="{target.isoformat()}"]')
            page.click('[data-testid="time"] >> nth=0')
            page.wait_for_selector('[data-testid="continue-booking"]')
            page.click('[data-testid="register-link"]')
            page.fill("#name", "Noor Customer")
            page.fill("#email", f"noor-{language}@example.com")
            page.fill("#phone", "+966501234567")
            page.fill("#password", "correct-horse")
            page.click('button[type="submit"]')
            page.wait_for_url(lambda url: "/login" in url)  # registration does not sign in (no account enumeration)
            page.wait_for_selector('[data-testid="continue-booking"]')
            page.fill("#email", f"noor-{language}@example.com")
            page.fill("#password", "correct-horse")
            page.click('button[type="submit"]')
            page.wait_for_url("**/book/details")
            page.fill("#age", "31")
            page.fill("#goals", "Get stronger")
            page.click('[data-testid="to-review"]')
            page.wait_for_selector('[data-testid="policy"]')
            page.click('[data-testid="pay"]')
            page.wait_for_url("**/pay")
            for name, value in (("number", "4242424242424242"), ("exp_month", "12"), ("exp_year", "34"),
                                ("cvc", "123"), ("postal_code", "12345")):
                page.fill(f'#card-element input[placeholder="{name}"]', value)
            page.click('[data-testid="pay-card"]')
            page.wait_for_selector('[data-testid="success"]')
            assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
            number = page.inner_text('[data-testid="booking-number"]').strip()
            page.screenshot(path=str(artifact_path(f"customer-success-{language}.png")), full_page=True)
            page.click('[data-testid="to-my-bookings"]')
            page.click(f'[data-number="{number}"]')
            page.click('[data-testid="cancel"]')
            preview = page.get_attribute('[data-testid="refund-preview"]', "data-amount")
            assert preview == price  # four days ahead: everything back
            page.screenshot(path=str(artifact_path(f"customer-cancel-{language}.png")), full_page=True)
            page.click('[data-testid="confirm-cancel"]')
            page.wait_for_selector('[data-testid="refunded-amount"]')
            assert violations(page, csp_reports) == []
        finally:
            browser.close()
    db.session.expire_all()
    refund = db.session.scalar(db.select(Refund))
    assert refund.status == "succeeded" and str(refund.amount) == price and refund.stripe_refund_id
