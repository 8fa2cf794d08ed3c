"""Validators shared by forms, the API and the models: one place for each rule."""
from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

import phonenumbers
from flask_babel import lazy_gettext as _l


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_timezone(name: str | None) -> bool:
    return bool(name) and name in _zones()


def check_timezone(name: str | None) -> str:
    if not is_timezone(name):
        raise ValueError(f"{name!r} is not a time zone name such as Asia/Riyadh or Europe/London")
    return name


def normalize_phone(raw: str | None) -> str:
    """The number in E.164 (+9665...), or ValueError with a readable reason."""
    text = (raw or "").strip()
    if not text.startswith("+"):
        raise ValueError("Enter the phone number with its country code, for example +966501234567")
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise ValueError("This is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("This phone number is not valid for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str | None) -> str:
    return (raw or "").strip().lower()


# The database's INTEGER range (PostgreSQL int4): ids, counts, minutes. A number outside it can
# name no row, so paths, query strings and bodies refuse it before any query runs.
MAX_DB_INT = 2**31 - 1
MIN_DB_INT = -(2**31)

NUL = "\x00"
_LINE_BREAKS = ("\r", "\n", "\x0b", "\x0c", "\x85", "\u2028", "\u2029")
# Lazy: translated in the reader's language where they are shown.
NUL_MESSAGE = _l("This text contains a NUL character, which is not allowed; remove it")
NAME_LINE_BREAK_MESSAGE = _l("A name must fit on one line; remove the line breaks")


def has_nul(text: str | None) -> bool:
    """PostgreSQL refuses NUL in text, and no person types one: such input is refused up front."""
    return bool(text) and NUL in text


def check_text(raw: str) -> str:
    if has_nul(raw):
        raise ValueError(NUL_MESSAGE)
    return raw


def check_person_name(raw: str | None) -> str:
    """A person's name, stripped: one line (it goes into email headers such as To:), no NUL."""
    name = (raw or "").strip()
    check_text(name)
    if any(mark in name for mark in _LINE_BREAKS):
        raise ValueError(NAME_LINE_BREAK_MESSAGE)
    return name
