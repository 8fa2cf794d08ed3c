"""Signed-in sessions: started at sign-in, checked on every request, ended for good.

The session is Flask's signed cookie, so a copy of it (a shared computer, a stolen cookie) would
work for as long as the cookie does. Three facts in the cookie, checked against the server on every
request by `load_user`, make it end:

- `v`, the user's `session_version` at sign-in: logout, a password change, deactivation and
  "sign out everywhere" move the version on, so every cookie issued before stops working;
- `seen`, the last request: after STAFF_IDLE_MINUTES / CUSTOMER_IDLE_MINUTES of silence it is over;
- `at`, the sign-in: after SESSION_MAX_HOURS it is over whatever happens.

At sign-in the session is emptied and started afresh (no data planted before sign-in is carried
into the signed-in session), keeping only the preferences listed in KEPT_ON_SIGN_IN.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app, g, session
from flask_login import login_user, logout_user

from ..core.clock import utcnow
from ..extensions import db
from .models import User

ANCHOR = "_anchor"
# Session values that survive signing in: the page language, and whatever domains add (the customer
# pages keep the booking being made, so "log in to continue your booking" continues it).
KEPT_ON_SIGN_IN: set[str] = {"language"}
SEEN_RESOLUTION_SECONDS = 60  # `seen` is rewritten at most once a minute (fewer new cookies)
_LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds", ANCHOR)


def keep_across_sign_in(*keys: str) -> None:
    """Let session values of another domain survive sign-in (a booking in progress)."""
    KEPT_ON_SIGN_IN.update(keys)


def start_session(user: User, now: datetime) -> None:
    """Sign `user` in on a fresh session anchored to their current session version."""
    kept = {key: session[key] for key in KEPT_ON_SIGN_IN if key in session}
    _clear()
    session.update(kept)
    login_user(user)
    stamp = int(now.timestamp())
    session[ANCHOR] = {"v": user.session_version, "at": stamp, "seen": stamp}


def end_session() -> None:
    """Empty this browser's session (the caller ends it on the server with sign_out_everywhere)."""
    logout_user()
    language = session.get("language")
    _clear()  # a booking in progress or any other trace stays off a shared computer
    if language:
        session["language"] = language


def _clear() -> None:
    """An empty session, with a new CSRF token from the next form on (the old one is not carried over)."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user, only while this session is still anchored and alive."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    anchor = session.get(ANCHOR)
    now = int(utcnow().timestamp())
    if user is None or not user.active or not _alive(user, anchor, now):
        for key in _LOGIN_KEYS:
            session.pop(key, None)
        return None
    if now - anchor["seen"] >= SEEN_RESOLUTION_SECONDS:
        session[ANCHOR] = {**anchor, "seen": now}
    return user


def _alive(user: User, anchor, now: int) -> bool:
    if not isinstance(anchor, dict) or anchor.get("v") != user.session_version:
        return False
    config = current_app.config
    idle = config["STAFF_IDLE_MINUTES"] if user.is_staff else config["CUSTOMER_IDLE_MINUTES"]
    seen, at = anchor.get("seen") or 0, anchor.get("at") or 0
    return now - seen <= idle * 60 and now - at <= config["SESSION_MAX_HOURS"] * 3600
