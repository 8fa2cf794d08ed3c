"""Passwords: how they are stored, checked and judged.

Storage is argon2id at OWASP's recommended minimum (19 MiB of memory, 2 passes, 1 lane). Hashes
made before (werkzeug's scrypt or pbkdf2) still verify; `needs_rehash` tells the sign-in to store
an argon2id hash in their place. A new password needs PASSWORD_MIN_LENGTH characters and a zxcvbn
score of PASSWORD_MIN_SCORE (0-4); the refusal names the reason, in the reader's language.
"""
from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_request_context
from flask_babel import gettext
from werkzeug.security import check_password_hash
from zxcvbn import zxcvbn

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)
# Checked when the email is unknown, so that answer costs the same time as a wrong password.
_DUMMY_HASH = HASHER.hash("not-a-real-password, only here to spend the same time")
MAX_LENGTH = 128
ZXCVBN_CHARS = 100  # zxcvbn slows down sharply on long inputs; the first 100 characters decide

# zxcvbn's English warnings, grouped into reasons we can say in both languages.
_REASONS = (
    (("top-10", "top-100", "very common", "similar to a commonly used"),
     "This password is one of the most commonly used; choose another."),
    (("keyboard", "rows of keys"), "Keyboard patterns such as “qwerty” are easy to guess."),
    (("Repeats",), "Repeated letters or words are easy to guess."),
    (("Sequences",), "Sequences such as “abc” or “1234” are easy to guess."),
    (("years", "Dates"), "Dates and years are easy to guess."),
    (("by itself", "surnames"), "A single word or name on its own is easy to guess."),
)
_GENERIC = "This password is too easy to guess: add another word or two (uncommon words are better)."
_PERSONAL = "Do not use your name or email address in your password."


def _t(message: str, **values) -> str:
    """Translated when there is a reader (a request); English for the command line."""
    return gettext(message, **values) if has_request_context() else message % values


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored` (argon2id, or an older werkzeug hash)."""
    if not stored:
        return False
    if stored.startswith("$argon2"):
        try:
            return HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(stored, password)
    except (ValueError, TypeError):
        return False


def spend_verify_time(password: str) -> None:
    """Do the work of one verification, for an email nobody has (no timing difference)."""
    verify_password(_DUMMY_HASH, password)


def needs_rehash(stored: str) -> bool:
    """An older scheme or weaker parameters than HASHER's."""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def password_problem(password: str, *, personal: tuple[str, ...] = ()) -> str | None:
    """Why `password` may not be used (a sentence for the person choosing it), or None."""
    password = password or ""
    minimum = int(current_app.config.get("PASSWORD_MIN_LENGTH", 10))
    if len(password) < minimum:
        return _t("Use at least %(n)s characters.", n=minimum)
    if len(password) > MAX_LENGTH:
        return _t("Use at most %(n)s characters.", n=MAX_LENGTH)
    inputs = [part for value in personal if value for part in _words(value)]
    result = zxcvbn(password[:ZXCVBN_CHARS], user_inputs=inputs)
    personal_chars = sum(len(m["token"]) for m in result["sequence"] if m.get("dictionary_name") == "user_inputs")
    if personal_chars * 2 >= len(password[:ZXCVBN_CHARS]):  # mostly one's own name or email
        return _t(_PERSONAL)
    if result["score"] >= int(current_app.config.get("PASSWORD_MIN_SCORE", 3)):
        return None
    warning = result["feedback"].get("warning") or ""
    for needles, reason in _REASONS:
        if any(needle in warning for needle in needles):
            return _t(reason)
    return _t(_GENERIC)


def _words(value: str) -> list[str]:
    """A name or an email split into the parts someone might reuse ("noura", "test", "example")."""
    value = value.lower()
    return sorted({value, value.split("@")[0], *(p for p in re.split(r"[@.\s_+-]+", value) if len(p) >= 3)})
