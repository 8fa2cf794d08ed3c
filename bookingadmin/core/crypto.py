"""Encryption at rest for sensitive fields (intake health details).

Keys come from DATA_ENCRYPTION_KEYS, newest first. Encryption uses the newest key; decryption
tries each, so a key can be rotated in by putting a new one first and re-encrypting at leisure
(`flask rotate-encryption-keys`).
"""
from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


def _fernet() -> MultiFernet:
    raw = current_app.config.get("DATA_ENCRYPTION_KEYS") or ""
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        raise RuntimeError("DATA_ENCRYPTION_KEYS is not set: sensitive data cannot be stored")
    return MultiFernet([Fernet(k) for k in keys])


def encrypt_json(value: dict | None) -> str | None:
    if not value:
        return None
    return _fernet().encrypt(json.dumps(value, ensure_ascii=False).encode()).decode()


def decrypt_json(token: str | None) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise RuntimeError("intake data cannot be decrypted with the configured keys") from None


def reencrypt(token: str | None) -> str | None:
    """The same plaintext under the newest key."""
    return _fernet().rotate(token.encode()).decode() if token else token
