"""Forgot password → the emailed link → a new password → signed in, in headless Chromium (Debian's)."""
from __future__ import annotations

import pytest

from tests.support.csp import violations, watch_csp
from tests.support.services import LiveServer, artifact_path, launch_chromium, require_service

from .mailbox import emails, link

NEW = "violet-harbour-cinnamon-42"


@pytest.mark.browser
@pytest.mark.sqlite_only  # one backend is enough for the browser journey
@pytest.mark.parametrize("language", ["en", "ar"])
def test_forgot_password_reset_and_sign_in(app, make_user, language):
    sync_api = pytest.importorskip("playwright.sync_api")
    make_user(email="noura@example.com", name="Noura Test", language=language)
    with LiveServer(app) as live, sync_api.sync_playwright() as p:
        browser = require_service("chromium", lambda: launch_chromium(p))
        page = browser.new_page(timezone_id="Africa/Cairo", locale=language)
        page.set_default_timeout(20_000)
        csp_reports = watch_csp(page)
        try:
            page.goto(f"{live.url}/language/{language}?next=/login")
            page.click('[data-testid="forgot-password"]')
            page.fill("#email", "noura@example.com")
            page.click('button[type="submit"]')
            page.wait_for_selector('[data-testid="reset-sent"]')
            page.goto(live.url + link(emails(app, "password_reset")[-1], "/password/reset/"))
            assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
            page.fill("#password", "password1234")  # too common: refused on the field
            page.click('button[type="submit"]')
            page.wait_for_selector('[data-field-error="password"]')
            page.fill("#password", NEW)
            page.click('button[type="submit"]')
            page.wait_for_url("**/login")
            page.fill("#email", "noura@example.com")
            page.fill("#password", NEW)
            page.click('button[type="submit"]')
            page.wait_for_selector('[data-testid="account-link"]')
            page.click('[data-testid="account-link"]')
            page.wait_for_selector('[data-testid="profile-form"]')
            assert page.input_value("#timezone") == "Asia/Riyadh"
            page.click("[data-use-browser-zone]")  # the browser's zone is offered and fills the field
            assert page.input_value("#timezone") == "Africa/Cairo"
            page.screenshot(path=str(artifact_path(f"account-{language}.png")), full_page=True)
            assert violations(page, csp_reports) == []
        finally:
            browser.close()
