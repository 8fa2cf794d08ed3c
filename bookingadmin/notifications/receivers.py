"""From booking events to outbox rows. Runs inside the lifecycle's transaction and only writes rows.

Connected to `bookingadmin.core.events.booking_event_recorded` in plugin.py. Each row's key names the
event and the recipient, so a receiver that runs twice for one event writes nothing new.
"""
from __future__ import annotations

from datetime import datetime

from ..core.clock import utcnow
from . import attachments, outbox, reminders
from .outbox import Recipient
from .recipients import customer_recipient, staff_recipients

CONFIRMED_STATUSES = ("confirmed", "rescheduled")
FIRST_EMAIL_BY_STATUS = {"pending_payment": "booking_created", "pending_confirmation": "awaiting_approval",
                         "confirmed": "confirmed"}


def on_booking_event(sender, event, **_extra) -> None:
    """Receiver of booking_event_recorded: the emails, receipt and reminders the event calls for."""
    handler = HANDLERS.get(event.action)
    if handler is not None:
        handler(event.booking, event, event.created_at or utcnow())


def _payload(booking, event, **extra) -> dict:
    payload = {"status": event.to_status or booking.status, "starts_at": booking.starts_at.isoformat(),
               "ends_at": booking.ends_at.isoformat(), "amount": str(booking.amount), "currency": booking.currency}
    payload.update({k: v for k, v in extra.items() if v is not None})
    return payload


def _ics(booking, event, method: str) -> dict:
    from ..calendar.ics import sequence_for

    return {"method": method, "sequence": sequence_for(booking.id, up_to_event_id=event.id)}


def _email(kind: str, booking, event, recipient: Recipient, now: datetime, **payload):
    return outbox.add(kind=kind, key=f"{kind}:event-{event.id}:{recipient.email}", now=now, booking_id=booking.id,
                      event_id=event.id, recipient=recipient, payload=_payload(booking, event, **payload))


def _tell_staff(kind: str, booking, event, now: datetime, **payload) -> None:
    for recipient in staff_recipients(booking):
        _email(kind, booking, event, recipient, now, **payload)


def _confirmed(booking, event, now: datetime) -> None:
    _email("confirmed", booking, event, customer_recipient(booking), now, ics=_ics(booking, event, "REQUEST"))
    reminders.plan_reminders(booking, now=now)


def on_created(booking, event, now: datetime) -> None:
    kind = FIRST_EMAIL_BY_STATUS.get(event.to_status or booking.status)
    if kind == "confirmed":
        _confirmed(booking, event, now)
    elif kind:
        _email(kind, booking, event, customer_recipient(booking), now)
    _tell_staff("staff_new_booking", booking, event, now)


def on_paid(booking, event, now: datetime) -> None:
    receipt_row = attachments.issue_receipt(booking, now=now, payment_method=(event.data or {}).get("method"))
    outbox.add(kind="payment_received", key=f"payment_received:event-{event.id}:{booking.customer_email}", now=now,
               booking_id=booking.id, event_id=event.id, recipient=customer_recipient(booking),
               payload=_payload(booking, event), depends_on=receipt_row,
               receipt_id=receipt_row.payload["receipt_id"] if receipt_row is not None else None)
    if event.to_status == "pending_confirmation":
        _email("awaiting_approval", booking, event, customer_recipient(booking), now)
    elif event.to_status in CONFIRMED_STATUSES:
        _confirmed(booking, event, now)


def on_confirmed(booking, event, now: datetime) -> None:
    _confirmed(booking, event, now)


def on_rescheduled(booking, event, now: datetime) -> None:
    data = event.data or {}
    ics = _ics(booking, event, "REQUEST") if booking.status in CONFIRMED_STATUSES else None
    _email("rescheduled", booking, event, customer_recipient(booking), now, ics=ics,
           from_starts_at=data.get("from_starts_at"), reason=event.reason)
    _tell_staff("staff_rescheduled", booking, event, now, from_starts_at=data.get("from_starts_at"))
    reminders.replan_reminders(booking, now=now)


def on_cancelled(booking, event, now: datetime) -> None:
    data = event.data or {}
    was_confirmed = event.from_status in CONFIRMED_STATUSES
    ics = _ics(booking, event, "CANCEL") if was_confirmed else None
    extra = {"refund_amount": data.get("refund_amount"), "refund_percent": data.get("refund_percent"),
             "cancelled_by": data.get("cancelled_by"), "reason": event.reason}
    _email("cancelled", booking, event, customer_recipient(booking), now, ics=ics, **extra)
    if event.action == "cancelled":
        _tell_staff("staff_cancelled", booking, event, now, **extra)
    reminders.cancel_reminders(booking, now=now, reason=f"not sent: the booking was {event.action}")


def on_completed(booking, event, now: datetime) -> None:
    _email("completed", booking, event, customer_recipient(booking), now)
    reminders.cancel_reminders(booking, now=now, reason="not sent: the booking is completed")


def on_no_show(booking, event, now: datetime) -> None:
    reminders.cancel_reminders(booking, now=now, reason="not sent: the customer did not show")


HANDLERS = {
    "created": on_created,
    "paid": on_paid,
    "confirmed": on_confirmed,
    "rescheduled": on_rescheduled,
    "cancelled": on_cancelled,
    "rejected": on_cancelled,
    "completed": on_completed,
    "no_show": on_no_show,
}
