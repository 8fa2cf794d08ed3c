"""The domain packages, in load order. Each may have `models.py` (its tables) and `plugin.py`
with `init_app(app)` (its blueprints, CLI commands, signal receivers, admin views, periodic
upkeep): the module that plugs the domain into the app. Named `plugin`, not `setup`, so it does
not read as a packaging script.

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
        plugin = _optional(f"{domain}.plugin")
        if plugin is not None:
            plugin.init_app(app)
