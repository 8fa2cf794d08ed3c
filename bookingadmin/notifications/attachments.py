"""The receipt that goes with a "payment received" email, provided by the receipts domain.

Receipts send their own emails through this domain's outbox, so notifications never imports receipts:
receipts register how a receipt is issued and read from their init_app (receipts/plugin.py). Without
a receipts domain the email goes without one.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

_issue: Callable[..., Any] | None = None
_pdf: Callable[[Any], bytes] | None = None


def register_receipts(*, issue: Callable[..., Any], pdf: Callable[[Any], bytes]) -> None:
    """`issue(booking, now=, payment_method=)` returns the outbox row rendering the receipt (or None);
    `pdf(receipt)` returns its PDF bytes, or None when PDFs are not made (receipts disabled)."""
    global _issue, _pdf
    _issue, _pdf = issue, pdf


def issue_receipt(booking, *, now, payment_method: str | None):
    """The outbox row that renders the booking's receipt, or None (no receipts domain, nothing owed)."""
    return _issue(booking, now=now, payment_method=payment_method) if _issue is not None else None


def receipt_pdf(receipt) -> bytes | None:
    return _pdf(receipt) if _pdf is not None else None
