"""The booking draft the customer pages keep in the session between wizard steps.

Zones and formatting live in core/display.py (one precedence and one formatter for every page).
"""
from __future__ import annotations

from flask import session

DRAFT_KEY = "booking_draft"


def get_draft() -> dict | None:
    return session.get(DRAFT_KEY)


def save_draft(draft: dict) -> None:
    session[DRAFT_KEY] = draft


def clear_draft() -> None:
    session.pop(DRAFT_KEY, None)
