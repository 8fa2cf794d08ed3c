"""Security headers on every response (issue 9, "Headers"): a CSP with no inline script, framing
rules, nosniff, referrer policy, HSTS in production, no-store on signed-in pages, and a back office
that loads nothing from another host."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from config import load_config

INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""", re.I)


def directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"no Content-Security-Policy on {response.request.path}"
    found = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        found[name] = sources
    return found


def assert_common_headers(response) -> dict[str, list[str]]:
    csp = directives(response)
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "*" not in csp["script-src"] and csp["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    return csp


def assert_no_inline_script(html: str, csp: dict, where: str) -> None:
    """Every <script> is a file, a JSON data block, or carries this response's nonce (Flask-Admin's own)."""
    nonces = {s[len("'nonce-"):-1] for s in csp["script-src"] if s.startswith("'nonce-")}
    for match in SCRIPT_TAG.finditer(html):
        attrs = match.group(1)
        if "src=" in attrs or 'type="application/json"' in attrs:
            continue
        nonce = re.search(r'nonce="([^"]+)"', attrs)
        assert nonce and nonce.group(1) in nonces, f"inline script without this response's nonce on {where}"
    handler = INLINE_HANDLER.search(html)
    assert handler is None, f"inline event handler on {where}: {handler.group(0)[:120]}"


def staff_pages(office, booking) -> list[str]:
    return ["/admin/", "/admin/bookings/", "/admin/calendar/", "/admin/availability/", "/admin/customers/",
            "/admin/audit/", "/admin/analytics/", "/admin/consultation_types/", "/admin/coaches/", "/admin/users/",
            "/admin/consultation_types/new/", "/admin/coaches/new/", "/admin/users/new/",
            f"/admin/users/edit/?id={office.customer.id}", "/admin/notifications/", "/admin/my-notifications/", "/admin/worker-health/",
            "/admin/calendar-feeds/",
            f"/admin/bookings/details/?id={booking.id}", f"/admin/bookings/cancel/?id={booking.id}",
            f"/admin/bookings/reschedule/?id={booking.id}", f"/admin/booking-money/{booking.number}/"]


def test_customer_pages_carry_a_strict_policy_without_inline_script(client, auth, make_booking):
    booking = make_booking("pending_payment")
    number = booking.consultation_type.number
    anonymous = ["/", f"/consultations/{number}", f"/book/{number}", "/login", "/register", "/no-such-page"]
    signed_in = ["/my/bookings", f"/my/bookings/{booking.number}", f"/bookings/{booking.number}/pay"]
    for path in anonymous:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        csp = assert_common_headers(response)
        assert_no_inline_script(response.get_data(as_text=True), csp, path)
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
    auth.login(booking.customer.email)
    for path in signed_in:
        response = client.get(path)
        assert response.status_code == 200, path
        csp = assert_common_headers(response)
        assert_no_inline_script(response.get_data(as_text=True), csp, path)
        assert response.headers["Cache-Control"] == "no-store", path  # a shared or back-button cache keeps nothing


def test_booking_pages_allow_stripe_and_the_configured_framers_the_rest_nothing(app, client, auth, make_booking):
    app.config.update(STRIPE_JS_URL="https://js.stripe.com/v3/", STRIPE_API_BASE=None,
                      BOOKING_FRAME_ANCESTORS="https://shop.example.com")
    booking = make_booking("pending_payment")
    auth.login(booking.customer.email)
    csp = assert_common_headers(client.get(f"/bookings/{booking.number}/pay"))
    assert "https://js.stripe.com" in csp["script-src"]
    assert "https://api.stripe.com" in csp["connect-src"]
    assert {"https://js.stripe.com", "https://hooks.stripe.com"} <= set(csp["frame-src"])
    assert csp["frame-ancestors"] == ["https://shop.example.com"]
    home = client.get("/")
    assert directives(home)["frame-ancestors"] == ["https://shop.example.com"]
    assert "X-Frame-Options" not in home.headers
    for path in ("/login", "/api/v1/openapi.json", "/static/js/pay.js"):
        response = client.get(path)
        csp = assert_common_headers(response)
        assert csp["frame-ancestors"] == ["'none'"] and response.headers["X-Frame-Options"] == "DENY", path
        assert not any("stripe" in source for source in csp["script-src"] + csp["connect-src"]), path


def test_local_stripe_origins_come_from_the_settings(app, client, auth, make_booking):
    app.config.update(STRIPE_JS_URL="http://127.0.0.1:8420/js.stripe.com/v3/", STRIPE_API_BASE="http://127.0.0.1:8420")
    booking = make_booking("pending_payment")
    auth.login(booking.customer.email)
    csp = directives(client.get(f"/bookings/{booking.number}/pay"))
    assert "http://127.0.0.1:8420" in csp["script-src"] and "http://127.0.0.1:8420" in csp["connect-src"]


def test_back_office_is_never_framed_and_loads_nothing_from_another_host(client, office, login, make_booking):
    booking = make_booking("confirmed")
    login(office.admin)
    for path in staff_pages(office, booking):
        response = client.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        csp = assert_common_headers(response)
        assert csp["frame-ancestors"] == ["'none'"] and response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["Cache-Control"] == "no-store", path
        assert csp["script-src"][0] == "'self'" and len(csp["script-src"]) == 2, path  # self and the nonce
        html = response.get_data(as_text=True)
        assert_no_inline_script(html, csp, path)
        outside = [url for url in EXTERNAL.findall(html) if urlsplit(url).netloc not in ("", "localhost")]
        assert outside == [], f"{path} loads {outside}"
    admin_js = client.get("/admin/static/admin/js/helpers.js?v=1.0.0")
    assert admin_js.status_code == 200 and "no-store" not in admin_js.headers.get("Cache-Control", "")
    flatly = client.get("/static/vendor/bootswatch-flatly/bootstrap.min.css").get_data(as_text=True)
    assert "@import" not in flatly and "googleapis" not in flatly


def test_each_response_has_its_own_nonce(client, office, login):
    login(office.admin)
    first = [s for s in directives(client.get("/admin/"))["script-src"] if s.startswith("'nonce-")]
    second = [s for s in directives(client.get("/admin/"))["script-src"] if s.startswith("'nonce-")]
    assert len(first) == 1 and first != second


def test_hsts_in_production_only(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/").headers
    for name, value in (("SECRET_KEY", "s" * 32), ("DATABASE_URL", "postgresql+psycopg://x/y"),
                        ("DATA_ENCRYPTION_KEYS", "k"), ("APP_BASE_URL", "https://book.example.com")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("HSTS_SECONDS", raising=False)
    production = load_config("production")
    assert production["HSTS_SECONDS"] >= 31536000 and load_config("development")["HSTS_SECONDS"] == 0
    app.config["HSTS_SECONDS"] = production["HSTS_SECONDS"]
    response = client.get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("path", ["/static/js/autosubmit.js", "/static/vendor/bootstrap5/bootstrap.min.css"])
def test_static_files_are_not_sniffed_and_stay_cacheable(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_common_headers(response)
    assert "no-store" not in response.headers.get("Cache-Control", "")
