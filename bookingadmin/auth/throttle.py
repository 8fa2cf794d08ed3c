"""Throttled guessing, with Flask-Limiter (the `limiter` in extensions.py).

Signing in (the /login form and POST /api/v1/auth/token share the same counters) is limited per
account (the email typed, whichever address the guesses come from) and per IP address; only failed
attempts count, so a person who signs in often is never held back. Each limit is a list of windows
("5 per minute;20 per hour;50 per day"): the longer windows make the wait grow as the failures go
on, so 30 wrong passwords in a row leave the 31st guess an hour away, not a second. Registration is
limited per address asked for and per IP, every attempt counting.

A refused request answers 429 with Retry-After (seconds). Counters live in Redis in production
(RATELIMIT_STORAGE_URI, from REDIS_URL), in memory in the embedded default.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, current_app, render_template, request
from flask_limiter.util import get_remote_address

from ..core.validation import normalize_email
from ..extensions import limiter

TOO_MANY = "Too many attempts; wait a moment and try again"


def account_key() -> str:
    """The account a request is about: the email of the form or of the JSON body."""
    email = request.form.get("email")
    if email is None and request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    return "account:" + normalize_email(email if isinstance(email, str) else "")


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _failed(response) -> bool:
    """A sign-in that did not succeed: the form shown again (400), or the API's 401."""
    return response.status_code in (400, 401)


def throttle_sign_in(view: Callable) -> Callable:
    per_account = limiter.shared_limit(_setting("SIGNIN_LIMITS_PER_ACCOUNT"), scope="signin-account",
                                       key_func=account_key, deduct_when=_failed, methods=["POST"],
                                       error_message=TOO_MANY)
    per_ip = limiter.shared_limit(_setting("SIGNIN_LIMITS_PER_IP"), scope="signin-ip",
                                  key_func=get_remote_address, deduct_when=_failed, methods=["POST"],
                                  error_message=TOO_MANY)
    return per_ip(per_account(view))


def _every_request_per_account_and_ip(setting: str) -> Callable[[Callable], Callable]:
    """Limits from `<setting>_PER_ACCOUNT` / `<setting>_PER_IP`, every POST counting (each sends an email)."""
    def decorate(view: Callable) -> Callable:
        per_account = limiter.limit(_setting(f"{setting}_PER_ACCOUNT"), key_func=account_key, methods=["POST"],
                                    error_message=TOO_MANY)
        per_ip = limiter.limit(_setting(f"{setting}_PER_IP"), key_func=get_remote_address, methods=["POST"],
                               error_message=TOO_MANY)
        return per_ip(per_account(view))

    return decorate


throttle_registration = _every_request_per_account_and_ip("REGISTER_LIMITS")
throttle_reset_request = _every_request_per_account_and_ip("RESET_LIMITS")


def init_app(app: Flask) -> None:
    limiter.init_app(app)
    app.register_error_handler(429, _too_many_requests)


def _too_many_requests(error):
    return render_template("auth/too_many_attempts.html"), 429
