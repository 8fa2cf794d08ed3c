"""Validators shared by forms, the API and the models: one place for each rule."""
from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

import phonenumbers


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
