"""A dict that lives as long as the current request, for figures a list page computes once."""
from __future__ import annotations

from flask import request


def request_cache() -> dict:
    """Not `g`: tests share one app context across requests, and `g` lives on it."""
    return request.environ.setdefault("bookingadmin.request_cache", {})
