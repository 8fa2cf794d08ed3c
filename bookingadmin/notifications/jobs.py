"""This domain's outbox kind: "notifications.email", sending one email at most once.

The outbox's claim makes a second run find nothing to do; the email's row is checked as well, so a
job put back to queued by hand after it sent is not sent twice. (A worker killed after SMTP accepted
the message but before its commit can still send it again: the at-least-once window.)
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..core.outbox import OutboxJob, PermanentFailure, Skip, register  # noqa: F401  (re-exported for mail.py)
from .outbox import KIND, for_job


def _describe(job: OutboxJob) -> str:
    row = for_job(job)
    return f"{row.kind.replace('_', ' ')} → {row.recipient_email}" if row is not None else ""


@register(KIND, queue="emails", label=_l("Email"), describe=_describe)
def send_email(job: OutboxJob, now: datetime) -> str | None:
    """Render and send the job's email; its Message-ID and sent time are kept on the email's row."""
    from .emails import send_notification_email

    row = for_job(job)
    if row is None:
        raise PermanentFailure("the email's row no longer exists")
    if row.sent_at is not None:
        return "already sent"
    row.message_id = send_notification_email(row, now)
    row.sent_at = now
    return None
