"""The domain packages, in load order. Each may have `models.py` (its tables) and `setup.py`
with `init_app(app)` (its blueprints, CLI commands, signal receivers, admin views).

Adding a domain means adding its name here; nothing else in create_app() changes.
"""
from __future__ import annotations

import importlib
import importlib.util

from flask import Flask

DOMAINS = ("auth", "catalog", "availability", "bookings", "payments", "notifications", "receipts",
           "calendar", "analytics", "api", "customer", "admin")


def _optional(module: str):
    name = f"{__package__}.{module}"
    return importlib.import_module(name) if importlib.util.find_spec(name) is not None else None


def import_models() -> None:
    for domain in DOMAINS:
        if importlib.util.find_spec(f"{__package__}.{domain}") is not None:
            _optional(f"{domain}.models")


def init_domains(app: Flask) -> None:
    for domain in DOMAINS:
        if importlib.util.find_spec(f"{__package__}.{domain}") is None:
            continue
        setup = _optional(f"{domain}.setup")
        if setup is not None:
            setup.init_app(app)
