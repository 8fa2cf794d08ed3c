"""Who is calling. Two ways in, checked in this order:

1. `Authorization: Bearer <token>` (from POST /api/v1/auth/token). A header that is present but
   wrong is a 401, never a silent fall-back to the cookie.
2. The session cookie of the web pages. Requests that change state (POST, PUT, PATCH, DELETE) made
   with the cookie must carry the page's CSRF token in the `X-CSRFToken` header; Bearer requests
   need none, since a browser never adds that header by itself.

The API blueprint is exempt from Flask-WTF's global CSRF check; this module does the check instead.
"""
from __future__ import annotations

from flask import g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from ..auth import tokens
from ..core.clock import utcnow
from ..extensions import csrf, db
from .errors import ApiError, unauthorized

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def authenticate_request() -> None:
    """before_request of the API blueprint: sets g.api_user (or None), g.api_token, g.api_auth."""
    g.api_user, g.api_token, g.api_auth = None, None, None
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, raw = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise unauthorized("Send the token as `Authorization: Bearer <token>`")
        now = utcnow()
        token = tokens.find_usable_token(raw.strip(), now=now)
        if token is None:
            raise unauthorized("This token is unknown, expired or revoked; ask for a new one")
        if tokens.note_use(token, now=now):
            db.session.commit()
        g.api_user, g.api_token, g.api_auth = token.user, token, "token"
    elif current_user.is_authenticated:
        g.api_user, g.api_auth = current_user._get_current_object(), "session"


def api_user():
    """The authenticated caller, or None for an anonymous one."""
    return g.get("api_user")


def check_csrf() -> None:
    """Cookie-authenticated requests that change state must prove they come from our pages."""
    if g.get("api_auth") != "session" or request.method in SAFE_METHODS:
        return
    try:
        csrf.protect()
    except CSRFError as error:
        raise ApiError(403, "csrf_failed", "Send the page's CSRF token in the X-CSRFToken header, "
                       f"or authenticate with a Bearer token ({error.description})") from None
