"""A receipt's PDF, rendered by WeasyPrint from its snapshot alone (so the same snapshot gives the same text).

The words come from the Babel catalog in the snapshot's language (`force_locale`); times and amounts
from the one display layer, on the snapshot's zone.
"""
from __future__ import annotations

import contextlib
import functools
import io
import logging
from datetime import datetime
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale

from ..core.display import format_instant, method_label
from ..core.i18n import LANGUAGES
from ..core.money import format_money, quantize


log = logging.getLogger(__name__)


@functools.cache
def weasyprint_problem() -> str | None:
    """Why WeasyPrint cannot run here (its import raises OSError without Pango & co.), or None. Tried once."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # it prints a long help text before raising
            import weasyprint  # noqa: F401
    except (OSError, ImportError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        log.warning("PDF receipts are disabled: WeasyPrint cannot load its libraries (%s)", reason)
        return reason
    return None


def receipts_enabled() -> bool:
    """RECEIPTS_ENABLED, or (when unset) whether WeasyPrint can run; decided once per app."""
    config = current_app.config
    if config.get("RECEIPTS_ENABLED") is None:
        config["RECEIPTS_ENABLED"] = weasyprint_problem() is None
    return bool(config["RECEIPTS_ENABLED"])


def pdfs_in_jobs() -> bool:
    """Whether the render job and email attachments make PDFs: receipts on and, in tests, not deferred
    (RECEIPTS_DEFER_PDF: only tests that read a receipt pay for rendering it)."""
    return receipts_enabled() and not current_app.config.get("RECEIPTS_DEFER_PDF")


def _when(value: str, zone: str, language: str, style: str = "full") -> str:
    return format_instant(datetime.fromisoformat(value), zone, style, language=language, with_zone=True)


def page_context(snapshot: dict) -> dict:
    """What the template shows; call under `force_locale(language)` (render_html does)."""
    language = snapshot.get("language") if snapshot.get("language") in LANGUAGES else "en"
    zone, currency = snapshot["timezone"], snapshot["currency"]
    booking = snapshot["booking"]
    credits = [{**c, "amount_text": "−" + format_money(Decimal(c["amount"]), currency),
                "when": _when(c["issued_at"], zone, language, "day")} for c in snapshot.get("credits") or []]
    net = quantize(Decimal(snapshot["amount"]) - sum((Decimal(c["amount"]) for c in credits), Decimal(0)), currency)
    return {
        "s": snapshot, "lang": language, "dir": "rtl" if language == "ar" else "ltr",
        "title": booking["title_ar"] if language == "ar" else booking["title_en"],
        "coach": (booking.get("coach_ar") or booking["coach_en"]) if language == "ar" else booking["coach_en"],
        "when": _when(booking["starts_at"], zone, language),
        "issued": _when(snapshot["issued_at"], zone, language, "day"),
        "paid_at": _when(snapshot["paid_at"], zone, language, "day"),
        "amount": format_money(Decimal(snapshot["amount"]), currency),
        "method": method_label(snapshot.get("payment_method")),
        "credits": credits, "net": format_money(net, currency),
    }


def render_html(snapshot: dict) -> str:
    from ..notifications.rendering import render_outside_request

    language = snapshot.get("language") if snapshot.get("language") in LANGUAGES else "en"
    with force_locale(language):
        return render_outside_request("receipts/receipt.html", page_context(snapshot))


def render_pdf(snapshot: dict) -> bytes:
    from weasyprint import HTML  # slow to import: only where PDFs are made

    return HTML(string=render_html(snapshot)).write_pdf()
