"""Settings of background jobs, emails, reminders and receipts, read from the environment.

They are applied with setdefault, so a value given to create_app() wins. Defaults suit the embedded
development setup (jobs inline, emails as .eml files).
"""
from __future__ import annotations

from flask import Flask

from config import ConfigError, _env, _env_bool, _env_int


def _offsets(raw: str) -> list[int]:
    try:
        hours = sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise ConfigError(f"REMINDER_OFFSETS_HOURS must be whole hours such as 24,1, got {raw!r}") from None
    if any(h <= 0 for h in hours):
        raise ConfigError("REMINDER_OFFSETS_HOURS must be positive hours such as 24,1")
    return hours


def settings() -> dict:
    return {
        # (The outbox's retry policy and RQ settings are core's: core/outbox/__init__.py.)
        # Hours before the start at which reminders go out.
        "REMINDER_OFFSETS_HOURS": _offsets(_env("REMINDER_OFFSETS_HOURS", "24,1")),
        "MAIL_TIMEOUT_SECONDS": _env_int("MAIL_TIMEOUT_SECONDS", 20),
        # Implicit TLS from the first byte (port 465); MAIL_USE_TLS (on by default) is STARTTLS on 587.
        "MAIL_USE_SSL": _env_bool("MAIL_USE_SSL", False),
    }


def apply(app: Flask) -> None:
    for name, value in settings().items():
        app.config.setdefault(name, value)
    if isinstance(app.config["REMINDER_OFFSETS_HOURS"], str):
        app.config["REMINDER_OFFSETS_HOURS"] = _offsets(app.config["REMINDER_OFFSETS_HOURS"])
