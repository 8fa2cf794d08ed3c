"""Sending one email row: check it is still wanted, render it, hand it to the mail transport."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from ..core.outbox import Skip
from .mail import deliver
from .models import Notification
from .rendering import build_message

# A reminder is only worth sending for a booking still planned at the time it was planned for.
REMINDABLE_STATUSES = ("confirmed", "rescheduled")


def send_notification_email(row: Notification, now: datetime) -> str:
    """Send `row`'s email; returns its Message-ID. Raises Skip when it is no longer wanted."""
    if not row.recipient_email:
        raise Skip("no recipient address")
    if row.kind == "reminder":
        _check_reminder_still_wanted(row, now)
    message = build_message(row, now=now)
    deliver(message, name=f"notification-{row.id:08d}-{row.kind}")
    return message["Message-ID"]


def _check_reminder_still_wanted(row: Notification, now: datetime) -> None:
    booking = row.booking
    if row.recipient is not None and not row.recipient.email_reminders:
        raise Skip("not sent: the customer turned reminder emails off")
    if booking.status not in REMINDABLE_STATUSES:
        raise Skip(f"not sent: the booking is {booking.status}")
    planned_for = (row.payload or {}).get("starts_at")
    if planned_for and datetime.fromisoformat(planned_for) != booking.starts_at:
        raise Skip("not sent: the booking moved")
    if booking.starts_at <= now:
        raise Skip("dropped, not sent late: the consultation had already started")
    offset = (row.payload or {}).get("offset_hours")
    later = [hours for hours in current_app.config["REMINDER_OFFSETS_HOURS"] if offset and hours < offset]
    if later and booking.starts_at - timedelta(hours=max(later)) <= now:
        raise Skip(f"dropped, not sent late: the {max(later)}-hour reminder is due by now")
