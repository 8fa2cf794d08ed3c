"""Security headers on every response: a strict Content-Security-Policy and its companions.

Scripts run only from this site (static files) or with this request's nonce (Flask-Admin's few
inline scripts carry it through `csp_nonce_generator`); no inline script or event handler runs, so
stored text that slipped through escaping still cannot execute. Stripe.js and its iframes are
allowed on the booking pages only; the back office loads nothing from other hosts and may not be
framed at all. The booking pages may be framed by the sites listed in BOOKING_FRAME_ANCESTORS.
"""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from flask_login import current_user

BOOKING_BLUEPRINTS = frozenset({"customer"})  # the pages a customer books and pays on
STRIPE_FRAMES = "https://hooks.stripe.com"      # 3-D Secure challenges open in this frame
STRIPE_API = "https://api.stripe.com"


def csp_nonce() -> str:
    """This request's script nonce, made on first use (kept in the request, not in `g`: an app
    context can outlive one request)."""
    return request.environ.setdefault("bookingadmin.csp_nonce", secrets.token_urlsafe(18))


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def _booking_page() -> bool:
    return request.blueprint in BOOKING_BLUEPRINTS


def _stripe_sources(config) -> dict[str, list[str]]:
    """Stripe.js's origin (its script and Card Element iframes), its API, its 3-D Secure frames."""
    script = _origin(config.get("STRIPE_JS_URL"))
    scripts = [script] if script else []
    if script == "https://js.stripe.com":
        scripts.append("https://*.js.stripe.com")  # Stripe's published CSP: it serves from subdomains too
    api = _origin(config.get("STRIPE_API_BASE")) or STRIPE_API
    return {"script-src": scripts, "connect-src": [api], "frame-src": [*scripts, STRIPE_FRAMES]}


def content_security_policy(config, *, booking_page: bool, nonce: str) -> str:
    """The policy for one response; booking pages add Stripe and their framing allowlist."""
    extra = _stripe_sources(config) if booking_page else {}
    ancestors = (config.get("BOOKING_FRAME_ANCESTORS") or "'none'") if booking_page else "'none'"
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{nonce}'", *extra.get("script-src", [])],
        # Inline style attributes position calendar blocks; styles cannot run script.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", *extra.get("connect-src", [])],
        "frame-src": extra.get("frame-src") or ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": [ancestors],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _signed_in() -> bool:
    return bool(getattr(current_user, "is_authenticated", False))


def _static_file() -> bool:
    """Our static files or Flask-Admin's (endpoint `admin.static`): the same for everyone, cacheable."""
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def set_security_headers(response: Response) -> Response:
    config = current_app.config
    booking_page = _booking_page()
    policy = content_security_policy(config, booking_page=booking_page, nonce=csp_nonce())
    response.headers["Content-Security-Policy"] = policy
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if "frame-ancestors 'none'" in policy:
        response.headers["X-Frame-Options"] = "DENY"  # for browsers that predate frame-ancestors
    if config.get("HSTS_SECONDS"):
        response.headers["Strict-Transport-Security"] = f"max-age={int(config['HSTS_SECONDS'])}; includeSubDomains"
    if not _static_file() and _signed_in():
        response.headers["Cache-Control"] = "no-store"  # a shared or back-button cache never keeps a signed-in page
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_security_headers)
