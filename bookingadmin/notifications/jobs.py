"""Background jobs of this domain. Each takes ids, claims its row, and does nothing if already done."""
from __future__ import annotations

import logging
from datetime import datetime

from ..core.clock import utcnow
from ..extensions import db
from . import outbox
from .models import Notification

log = logging.getLogger(__name__)


class Skip(Exception):
    """The work is no longer wanted (a reminder for a cancelled booking): the row is cancelled."""


class PermanentFailure(Exception):
    """Trying again cannot help (the mail server refused the address): the row fails now."""


def run_notification(notification_id: int, now: str | None = None) -> str:
    """Send one email or render one receipt, at most once. Returns what happened (for logs and tests)."""
    moment = datetime.fromisoformat(now) if now else utcnow()
    row = db.session.get(Notification, notification_id)
    if row is None or row.status != "queued" or row.due_at > moment:
        db.session.rollback()
        return "skipped"
    if outbox.dependency_pending(row):
        db.session.rollback()
        return "waiting"
    if not outbox.claim(notification_id, moment):
        db.session.rollback()
        return "skipped"
    db.session.commit()
    return _perform(db.session.get(Notification, notification_id), moment)


def _perform(row: Notification, now: datetime) -> str:
    try:
        message_id = _handler(row.channel)(row, now)
    except Skip as reason:
        db.session.rollback()
        outbox.finish(row, now=now, status="cancelled", note=str(reason))
    except PermanentFailure as error:
        db.session.rollback()
        outbox.record_failure(row, str(error), now=now, permanent=True)
    except Exception as error:  # noqa: BLE001 - any other error is worth another try
        db.session.rollback()
        log.warning("notification %s (%s) failed: %s", row.id, row.kind, error)
        outbox.record_failure(row, f"{type(error).__name__}: {error}", now=now)
    else:
        outbox.finish(row, now=now, message_id=message_id)
        outbox.release_dependents(row, now)
    status = row.status
    db.session.commit()
    return status


def _handler(channel: str):
    if channel == "receipt":
        from ..receipts.services import render_receipt_for_notification

        return render_receipt_for_notification
    from .emails import send_notification_email

    return send_notification_email
