"""This domain's outbox kind: "receipts.render", the PDF of one receipt revision.

Running it twice renders once: a receipt whose stored PDF is of its current revision is left alone.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..core.outbox import OutboxJob, PermanentFailure, Skip, register

KIND = "receipts.render"


def _describe(job: OutboxJob) -> str:
    payload = job.payload or {}
    return f"{payload.get('receipt_number', '')} (revision {payload.get('revision', 1)})"


@register(KIND, queue="receipts", label=_l("Receipt PDF"), describe=_describe)
def render(job: OutboxJob, now: datetime) -> str | None:
    from .pdf import pdfs_in_jobs, receipts_enabled, weasyprint_problem
    from .services import render_receipt

    if not receipts_enabled():  # the email goes without it; the PDF is made when read once enabled
        raise Skip(f"PDF receipts are disabled ({weasyprint_problem() or 'RECEIPTS_ENABLED is off'})")
    if not pdfs_in_jobs():
        return "deferred: rendered when read"
    try:
        rendered = render_receipt(int((job.payload or {})["receipt_id"]), now)
    except (LookupError, KeyError) as error:
        raise PermanentFailure(str(error)) from None
    return None if rendered else "already rendered"
