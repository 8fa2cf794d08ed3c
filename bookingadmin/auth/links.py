"""Signed links sent by email: a password reset, and the confirmation of a new email address.

Nothing is stored: a link is the user's id, what it is for and when it was asked for, signed with
SECRET_KEY (itsdangerous). It also carries a fingerprint of what it would change (a hash of the
current password hash, or the current email address), so it works once: after the reset, or after
the address changed, the fingerprint no longer matches and the link is refused. It expires
PASSWORD_RESET_MINUTES / EMAIL_CHANGE_MINUTES after it was asked for (`issued_at`, the moment the
email was queued), whatever the time it was sent.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from ..core.errors import DomainError
from ..extensions import db
from .models import User

RESET, EMAIL = "password-reset", "email-change"


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"bookingadmin.{purpose}")


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def reset_token(user: User, issued_at: datetime) -> str:
    return _serializer(RESET).dumps({"u": user.id, "at": int(issued_at.timestamp()),
                                     "f": _fingerprint(user.password_hash)})


def email_token(user: User, new_email: str, issued_at: datetime) -> str:
    return _serializer(EMAIL).dumps({"u": user.id, "at": int(issued_at.timestamp()), "new": new_email,
                                     "f": _fingerprint(user.email)})


class BadLink(DomainError):
    """An expired, tampered, foreign or already used link: nothing changes; offer a new one."""


def _read(purpose: str, token: str, now: datetime, minutes_setting: str) -> tuple[User, dict]:
    try:
        data = _serializer(purpose).loads(token or "")
    except BadSignature:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("at"), int):
        raise BadLink(_("This link is not valid."))
    minutes = int(current_app.config[minutes_setting])
    if now.timestamp() - data["at"] > timedelta(minutes=minutes).total_seconds():
        raise BadLink(_("This link has expired."))
    user = db.session.get(User, data["u"])
    if user is None or not user.active:
        raise BadLink(_("This link is not valid."))
    return user, data


def read_reset_token(token: str, now: datetime) -> User:
    """The user whose password this link may reset, or BadLink."""
    user, data = _read(RESET, token, now, "PASSWORD_RESET_MINUTES")
    if data.get("f") != _fingerprint(user.password_hash):
        raise BadLink(_("This link has already been used."))
    return user


def read_email_token(token: str, now: datetime) -> tuple[User, str]:
    """The user and the new address this link confirms, or BadLink."""
    user, data = _read(EMAIL, token, now, "EMAIL_CHANGE_MINUTES")
    if data.get("f") != _fingerprint(user.email) or not isinstance(data.get("new"), str):
        raise BadLink(_("This link has already been used."))
    return user, data["new"]
