"""Reminders: planned as outbox rows due REMINDER_OFFSETS_HOURS before each confirmed booking.

A reminder's key names the booking, the offset and the start time it was planned for, so planning
twice adds nothing and a sent reminder is never sent again. Cancelling, completing or moving a
booking cancels its queued reminders; moving it plans new ones. At send time the email job checks
again that the booking is still confirmed and still starts at the planned time.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..core.outbox import SweepResult, sweep
from ..extensions import db
from . import outbox
from .emails import REMINDABLE_STATUSES
from .models import Notification
from .recipients import customer_recipient

KIND = "reminder"


def reminder_key(booking, hours: int) -> str:
    return f"reminder:{booking.id}:{hours}h:{booking.starts_at.strftime('%Y%m%dT%H%MZ')}"


def plan_reminders(booking, *, now: datetime) -> list[Notification]:
    """The booking's reminders for its current start time (existing ones are kept, not duplicated).

    A reminder whose time has already passed (a booking made 3 hours ahead gets no 24-hour reminder)
    is not planned.
    """
    if booking.status not in REMINDABLE_STATUSES or booking.starts_at <= now:
        return []
    planned = []
    for hours in current_app.config["REMINDER_OFFSETS_HOURS"]:
        due_at = booking.starts_at - timedelta(hours=hours)
        if due_at <= now:
            continue
        payload = {"offset_hours": hours, "starts_at": booking.starts_at.isoformat(),
                   "ends_at": booking.ends_at.isoformat(), "status": booking.status}
        planned.append(outbox.add(kind=KIND, key=reminder_key(booking, hours), now=now, booking_id=booking.id,
                                  recipient=customer_recipient(booking), payload=payload, due_at=due_at,
                                  revive=True))
    return planned


def cancel_reminders(booking, *, now: datetime, reason: str) -> int:
    return outbox.cancel_open(booking_id=booking.id, kinds=(KIND,), reason=reason, now=now)


def replan_reminders(booking, *, now: datetime) -> list[Notification]:
    """After a move: the old time's reminders are cancelled and the new time's planned."""
    cancel_reminders(booking, now=now, reason="the booking moved; reminders planned for the new time")
    return plan_reminders(booking, now=now)


def plan_missing_reminders(now: datetime) -> int:
    """Plan reminders for upcoming confirmed bookings that lack them (bookings confirmed before the
    feature, or after REMINDER_OFFSETS_HOURS changed). Returns how many rows were added."""
    from ..bookings.models import Booking

    horizon = now + timedelta(hours=max(current_app.config["REMINDER_OFFSETS_HOURS"]) + 1)
    bookings = db.session.scalars(select(Booking).where(
        Booking.status.in_(REMINDABLE_STATUSES), Booking.starts_at > now, Booking.starts_at <= horizon))
    before = _count()
    for booking in bookings:
        plan_reminders(booking, now=now)
    db.session.flush()
    return _count() - before


def _count() -> int:
    return db.session.scalar(select(db.func.count()).select_from(Notification).where(Notification.kind == KIND)) or 0


def send_due_reminders(now: datetime) -> SweepResult:
    """`flask send-reminders`: plan what is missing, then run the one outbox sweep (which hands over
    every due job, reminders among them). Commits."""
    plan_missing_reminders(now)
    db.session.commit()
    return sweep(now, heartbeat="send-reminders")
