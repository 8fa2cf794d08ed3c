"""`Idempotency-Key` on state-changing API calls (as Stripe does): the same key with the same request
within 24 hours answers the first answer again (status and body) without doing the work twice.

- keys are per user; the same key with another method, path or body is a 422 `idempotency_key_reused`;
- the key is claimed (committed) before the work, so a concurrent request with it waits for the
  first to finish and gets its answer (or a 409 `idempotency_in_progress` after IDEMPOTENCY_WAIT_SECONDS);
- only successes are kept: an error answer (409 slot taken, 422) releases the key, so a retry runs again;
- a claim left by a process that died mid-request is released after IDEMPOTENCY_ABANDONED_SECONDS.
"""
from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from typing import Callable

from flask import current_app, make_response, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..core.clock import utcnow
from ..extensions import db
from .errors import ApiError
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def run_once(user, call: Callable):
    """Run `call()` (the view) at most once per (user, Idempotency-Key); without the header, just run it."""
    key = request.headers.get(HEADER)
    if not key or user is None:
        return call()
    if len(key) > 200:
        raise ApiError(400, "invalid_input", "Idempotency-Key must be at most 200 characters")
    row = _claim(user.id, key, _fingerprint())
    if row is not None:
        return _replay(row)
    try:
        response = make_response(call())
    except BaseException:
        db.session.rollback()
        _release(user.id, key)
        raise
    if response.status_code >= 400:
        _release(user.id, key)
        return response
    _remember(user.id, key, response)
    return response


def _claim(user_id: int, key: str, fingerprint: str) -> IdempotencyKey | None:
    """None when this request claimed the key (it does the work); else the finished first request."""
    config = current_app.config
    deadline = time.monotonic() + float(config.get("IDEMPOTENCY_WAIT_SECONDS", 10))
    while True:
        db.session.commit()  # a fresh snapshot each time round
        now = utcnow()
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key,
                                                        _expired(now, config)))
        try:
            db.session.add(IdempotencyKey(user_id=user_id, key=key, fingerprint=fingerprint, created_at=now))
            db.session.commit()
            return None
        except IntegrityError:
            db.session.rollback()
        row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                             IdempotencyKey.key == key))
        if row is None:
            continue  # released meanwhile: claim it
        if row.fingerprint != fingerprint:
            raise ApiError(422, "idempotency_key_reused",
                           "This Idempotency-Key was used for a different request; use a new key")
        if row.status_code is not None:
            return row
        if time.monotonic() >= deadline:
            raise ApiError(409, "idempotency_in_progress",
                           "A request with this Idempotency-Key is still running; try again shortly")
        db.session.rollback()
        time.sleep(0.1)


def _expired(now, config):
    abandoned = timedelta(seconds=int(config.get("IDEMPOTENCY_ABANDONED_SECONDS", 300)))
    return (IdempotencyKey.created_at < now - KEEP) | (
        IdempotencyKey.status_code.is_(None) & (IdempotencyKey.created_at < now - abandoned))


def _replay(row: IdempotencyKey):
    response = current_app.response_class(row.response_body or "", status=row.status_code,
                                          mimetype="application/json")
    if row.location:
        response.headers["Location"] = row.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _remember(user_id: int, key: str, response) -> None:
    row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))
    if row is None:
        return
    row.status_code, row.response_body = response.status_code, response.get_data(as_text=True)
    row.location = response.headers.get("Location")
    db.session.commit()


def _release(user_id: int, key: str) -> None:
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key,
                                                    IdempotencyKey.status_code.is_(None)))
    db.session.commit()
