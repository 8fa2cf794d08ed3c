"""Per-user API tokens: issue, look up, revoke.

A token is `ba_` + 43 URL-safe characters (256 random bits). The database keeps only its SHA-256
hash, so the token is shown once, when issued. A token stops working when revoked, when it
expires (API_TOKEN_LIFETIME_DAYS, default 90) or when its user is deactivated.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app

from ..extensions import db
from .models import ApiToken, User

TOKEN_PREFIX = "ba_"
DEFAULT_LIFETIME_DAYS = 90
# last_used_at is refreshed at most this often, so reads do not each cost a write
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, *, now: datetime, label: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`: the stored row and the token itself (shown once, never stored)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    days = int(current_app.config.get("API_TOKEN_LIFETIME_DAYS", DEFAULT_LIFETIME_DAYS))
    token = ApiToken(user_id=user.id, token_hash=hash_token(raw), prefix=raw[:10], label=label,
                     created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    return token, raw


def find_usable_token(raw: str, *, now: datetime) -> ApiToken | None:
    """The live token for this raw value, or None (unknown, revoked, expired, user inactive)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if token is None or not token.is_usable(now):
        return None
    return token


def note_use(token: ApiToken, *, now: datetime) -> bool:
    """Record that the token was used; True when the row changed (the caller commits)."""
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        return True
    return False


def revoke_token(token: ApiToken, *, now: datetime) -> None:
    """The token stops working at once; the row stays as a record."""
    if token.revoked_at is None:
        token.revoked_at = now


def revoke_all_tokens(user: User, *, now: datetime) -> int:
    """Revoke every live token of `user` (after a password change or when an account is closed)."""
    tokens = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id,
                                                          ApiToken.revoked_at.is_(None))).all()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)
