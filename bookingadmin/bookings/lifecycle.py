"""The booking state machine: the only code that sets Booking.status.

    pending_payment ─pay─▶ pending_confirmation ─confirm─▶ confirmed ─reschedule─▶ rescheduled
          │  (free types skip payment)  │                    │  ╲                    │
          │                           reject                 │   complete / no_show ◀┘
          └────────── cancel (customer, staff, system) ──────┴──▶ cancelled

Every function here checks its guard (the same `can()` the UI asks before showing a button),
changes the booking, writes a BookingEvent (who, when, from, to, why) and sends
`booking_event_recorded` after flushing it. Nothing commits: the caller commits once.

No double booking. Every change to a coach's booked time first takes the coach's lock for the
rest of the transaction (core.locking.lock_coach_time), then asks availability whether the time
is bookable (availability.services.check_bookable), then writes (placement.py: the database's
exclusion constraint has the last word). Input checks live in requests.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select

from ..auth.models import User
from ..auth.policy import allowed
from ..availability.services import check_bookable
from ..catalog.models import CoachProfile, ConsultationType
from ..core.display import status_label
from ..core.errors import Conflict, DomainError, PermissionDenied
from ..core.events import booking_event_recorded
from ..core.locking import lock_coach_time, lock_row
from ..extensions import db
from . import policy
from .access import is_customer_of, manages
from .models import ACTIVE_STATUSES, PAYMENT_METHODS, Booking, BookingEvent
from .placement import flush_placement, insert_with_number, place
from .reviews import update_coach_rating
from .requests import (
    checked_cancellation, checked_feedback, checked_move, checked_reason, checked_request, new_booking,
)

# action -> {from status -> statuses it may lead to}. The one table of legal moves.
TRANSITIONS: dict[str, dict[str | None, tuple[str, ...]]] = {
    "create": {None: ("pending_payment", "pending_confirmation", "confirmed")},
    "pay": {"pending_payment": ("pending_confirmation", "confirmed")},
    "confirm": {"pending_confirmation": ("confirmed",)},
    "reject": {"pending_confirmation": ("cancelled",)},
    "reschedule": {"pending_confirmation": ("pending_confirmation",), "confirmed": ("rescheduled",),
                   "rescheduled": ("rescheduled",)},
    "cancel": {status: ("cancelled",) for status in ACTIVE_STATUSES},
    "complete": {"confirmed": ("completed",), "rescheduled": ("completed",)},
    "no_show": {"confirmed": ("no_show",), "rescheduled": ("no_show",)},
    "feedback": {"completed": ("completed",)},
}
# The BookingEvent.action each lifecycle action writes.
EVENT_ACTIONS = {"create": "created", "pay": "paid", "confirm": "confirmed", "reject": "rejected",
                 "reschedule": "rescheduled", "cancel": "cancelled", "complete": "completed",
                 "no_show": "no_show", "feedback": "feedback"}
# Actions a person can take from a button; allowed_actions() answers from these.
BUTTON_ACTIONS = ("confirm", "reject", "reschedule", "cancel", "complete", "no_show", "feedback")
STAFF_ACTIONS = frozenset({"confirm", "reject", "complete", "no_show", "reschedule", "cancel"})
CUSTOMER_ACTIONS = frozenset({"reschedule", "cancel", "feedback"})

# "This booking is <status>; it cannot be <verb>": the status word is the display layer's (core/display.py).
ACTION_VERBS = {"pay": _l("paid for"), "confirm": _l("confirmed"), "reject": _l("rejected"),
                "reschedule": _l("rescheduled"), "cancel": _l("cancelled"), "complete": _l("marked completed"),
                "no_show": _l("marked as a no-show"), "feedback": _l("reviewed")}

HOLD_EXPIRED_REASON = "The time was released because payment was not completed in time"


@dataclass(frozen=True)
class Cancellation:
    """What cancelling decided: the refund the policy entitles (bookings.operations has payments move it)."""

    booking: Booking
    refund_amount: Decimal
    refund_percent: int


# --------------------------------------------------------------------------- guards


def _refusal(action: str, booking: Booking, actor: User | None, now: datetime) -> DomainError | None:
    """Why `actor` may not take `action` on `booking` at `now`; None when they may."""
    if actor is not None:
        denied = _who_refusal(action, booking, actor)
        if denied:
            return denied
    if booking.status not in TRANSITIONS[action]:
        return _illegal(action, booking)
    return _when_refusal(action, booking, actor, now)


def _who_refusal(action: str, booking: Booking, actor: User) -> DomainError | None:
    if action == "pay":
        return None  # payments proves the money arrived; the actor is only recorded
    if action in STAFF_ACTIONS and manages(actor, booking):
        return None
    if action in CUSTOMER_ACTIONS and is_customer_of(actor, booking):
        return None
    return PermissionDenied("You are not allowed to do this to this booking")


def _illegal(action: str, booking: Booking) -> Conflict:
    if action == "feedback" and booking.status != "completed":
        message = "Feedback can be left once the session has taken place"
    else:
        message = gettext("This booking is %(status)s; it cannot be %(action)s",
                          status=status_label(booking.status).lower(), action=ACTION_VERBS[action])
    return Conflict(message, code="invalid_transition")


def _when_refusal(action: str, booking: Booking, actor: User | None, now: datetime) -> DomainError | None:
    as_customer = actor is not None and not manages(actor, booking)
    if action in ("complete", "no_show") and now < booking.starts_at:
        return Conflict("A session can be marked only after it has started", code="too_early")
    if action == "feedback" and booking.feedback_at is not None:
        return Conflict("Feedback was already left for this booking", code="feedback_exists")
    if as_customer and action == "cancel" and now >= booking.starts_at:
        return Conflict("This session has already started and can no longer be cancelled", code="too_late")
    if as_customer and action == "reschedule" and not policy.customer_may_reschedule(booking, now):
        hours = booking.consultation_type.reschedule_min_hours
        return Conflict(f"Bookings can be moved up to {hours} hours before the start; please contact us",
                        code="reschedule_window_closed")
    return None


def can(action: str, booking: Booking, actor: User | None, now: datetime) -> bool:
    """May `actor` take `action` on `booking` now? The UI's buttons and the services ask this."""
    if action not in TRANSITIONS:
        raise KeyError(f"unknown booking action {action!r}")
    return _refusal(action, booking, actor, now) is None


def allowed_actions(booking: Booking, actor: User | None, now: datetime) -> set[str]:
    """The buttons to show `actor` for `booking`: a subset of BUTTON_ACTIONS."""
    return {action for action in BUTTON_ACTIONS if can(action, booking, actor, now)}


def _require(action: str, booking: Booking, actor: User | None, now: datetime) -> None:
    refusal = _refusal(action, booking, actor, now)
    if refusal is not None:
        raise refusal


# --------------------------------------------------------------------------- events and moves


def record_event(booking: Booking, action: str, *, actor: User | None, now: datetime, reason: str | None = None,
                 data: dict | None = None, from_status: str | None = None,
                 to_status: str | None = None) -> BookingEvent:
    """Write one audit row, flush it, then tell the other domains (booking_event_recorded)."""
    event = BookingEvent(actor_id=actor.id if actor is not None else None,
                         actor_role=actor.role if actor is not None else "system", action=action,
                         from_status=from_status, to_status=to_status, reason=reason, data=data, created_at=now)
    booking.events.append(event)
    db.session.flush()
    booking_event_recorded.send(current_app._get_current_object(), event=event)
    return event


def _move(booking: Booking, action: str, to_status: str, *, actor: User | None, now: datetime,
          reason: str | None = None, data: dict | None = None) -> BookingEvent:
    """Set the status by the transition table, and record it."""
    from_status = booking.status
    if to_status not in TRANSITIONS[action].get(from_status, ()):
        raise _illegal(action, booking)
    booking.status = to_status
    booking.updated_at = now
    return record_event(booking, EVENT_ACTIONS[action], actor=actor, now=now, reason=reason, data=data,
                        from_status=from_status, to_status=to_status)


# --------------------------------------------------------------------------- who may book


def _check_booker(actor: User | None, customer: User, coach: CoachProfile | None) -> None:
    if actor is None:
        return
    if allowed(actor, "bookings.book", customer) or (coach is not None and allowed(actor, "bookings.manage", coach)):
        return
    raise PermissionDenied("You cannot make a booking for this person")


# --------------------------------------------------------------------------- create


def create_booking(*, customer: User, consultation_type_id: int, coach_id: int, duration_minutes: int,
                   starts_at: datetime, meeting_type: str, timezone: str, actor: User | None, now: datetime,
                   contact: dict | None = None, intake: dict | None = None,
                   alternative: tuple[date, time] | None = None, slot_id: int | None = None, source: str = "web",
                   ip_address: str | None = None, user_agent: str | None = None) -> Booking:
    """Book `customer` with a coach at `starts_at`, or raise and write nothing.

    The price is the type's price for the chosen duration, read here and frozen on the booking.
    A paid booking waits for payment and holds its time for HOLD_MINUTES; a free one skips
    payment (confirmed, or awaiting confirmation when the type requires approval). Name, email
    and phone default to the customer's account. Raises DomainError naming the field for bad
    input, PermissionDenied when `actor` may not book for `customer`, and
    Conflict(code="slot_taken") when someone else holds the time.
    """
    request = checked_request(customer, consultation_type_id, coach_id, duration_minutes, starts_at, meeting_type,
                              timezone, now, contact, intake, alternative, slot_id, source)
    ctype, coach = request.ctype, request.coach
    _check_booker(actor, customer, coach)

    lock_coach_time(coach.id)
    expire_holds(now, coach.id)
    offer = check_bookable(coach_id=coach.id, consultation_type_id=ctype.id, duration_minutes=duration_minutes,
                           starts_at=request.starts_at, now=now, slot_id=slot_id)
    booking = new_booking(customer, request, now, source=source, ip_address=ip_address, user_agent=user_agent)
    place(booking, ctype, request.starts_at, offer.slot_id or slot_id)
    _start(booking, ctype, now)
    insert_with_number(booking, now)
    record_event(booking, "created", actor=actor, now=now, from_status=None, to_status=booking.status,
                 data={"starts_at": booking.starts_at.isoformat(), "ends_at": booking.ends_at.isoformat(),
                       "amount": str(booking.amount), "currency": booking.currency, "source": source,
                       "hold_expires_at": booking.hold_expires_at.isoformat() if booking.hold_expires_at else None})
    return booking


def _start(booking: Booking, ctype: ConsultationType, now: datetime) -> None:
    """The first status: paid bookings wait for payment holding their time; free ones skip it."""
    if booking.amount > 0:  # its payment_status is the payments domain's (set on the "created" event)
        booking.status = "pending_payment"
        booking.hold_expires_at = now + timedelta(minutes=int(current_app.config.get("HOLD_MINUTES", 15)))
        return
    booking.status = "pending_confirmation" if ctype.requires_approval else "confirmed"
    if booking.status == "confirmed":
        booking.confirmed_at = now
    assert booking.status in TRANSITIONS["create"][None]


# --------------------------------------------------------------------------- moves


def mark_paid(booking: Booking, *, actor: User | None, now: datetime, method: str) -> Booking:
    """Payment arrived: on to confirmation (types that require approval) or straight to confirmed.

    Called by the payments domain once it has proof of payment; payments alone derive payment_status.
    """
    if method not in PAYMENT_METHODS or method == "free":
        raise DomainError.on_field("method", "Choose how the booking was paid")
    lock_row(booking)
    _require("pay", booking, actor, now)
    to_status = "pending_confirmation" if booking.consultation_type.requires_approval else "confirmed"
    booking.paid_at = now
    booking.hold_expires_at = None
    if to_status == "confirmed":
        booking.confirmed_at = now
    _move(booking, "pay", to_status, actor=actor, now=now,
          data={"method": method, "amount": str(booking.amount), "currency": booking.currency})
    return booking


def confirm(booking: Booking, *, actor: User | None, now: datetime, reason: str | None = None) -> Booking:
    """Staff accept a booking that was waiting for approval."""
    reason = checked_reason(reason, required=False)
    lock_row(booking)
    _require("confirm", booking, actor, now)
    booking.confirmed_at = now
    _move(booking, "confirm", "confirmed", actor=actor, now=now, reason=reason)
    return booking


def reject(booking: Booking, *, actor: User | None, now: datetime, reason: str) -> Booking:
    """Staff turn down a booking waiting for approval; the customer is owed everything they paid."""
    reason = checked_reason(reason, required=True)
    lock_row(booking)
    _require("reject", booking, actor, now)
    _close(booking, "reject", by="staff", reason=reason, actor=actor, now=now)
    return booking


def cancel(booking: Booking, *, actor: User | None, now: datetime, reason: str, by: str,
           refund: tuple[Decimal, int] | None = None) -> Cancellation:
    """Cancel an open booking and free its time; returns the refund the policy entitles.

    `by` says on whose account: "customer" (the policy's windows apply, also when staff cancel on
    the customer's behalf), "staff" (the business cancelled: a full refund) or "system".
    A customer can only cancel as "customer". `refund` is the (amount, percent) the caller read
    from the policy before the status moved (bookings.operations.cancel_booking, which also gives
    the money back); it is recorded on the event. Moving money is never done here.
    """
    reason = checked_cancellation(reason, by)
    if actor is not None and by != "customer" and not manages(actor, booking):
        raise PermissionDenied("Only staff can cancel on the business's behalf")
    lock_row(booking)
    _require("cancel", booking, actor, now)
    amount, percent = _close(booking, "cancel", by=by, reason=reason, actor=actor, now=now, refund=refund)
    return Cancellation(booking=booking, refund_amount=amount, refund_percent=percent)


def _close(booking: Booking, action: str, *, by: str, reason: str, actor: User | None, now: datetime,
           extra: dict | None = None, refund: tuple[Decimal, int] | None = None) -> tuple[Decimal, int]:
    amount, percent = refund or policy.refund_for_cancellation(booking, now, by=by)
    booking.cancelled_at = now
    booking.cancelled_by = by
    booking.cancellation_reason = reason
    booking.hold_expires_at = None
    data = {"refund_amount": str(amount), "refund_percent": percent, "cancelled_by": by, **(extra or {})}
    _move(booking, action, "cancelled", actor=actor, now=now, reason=reason, data=data)
    return amount, percent


def reschedule(booking: Booking, *, starts_at: datetime, actor: User | None, now: datetime,
               reason: str | None = None, slot_id: int | None = None) -> Booking:
    """Move the booking to another bookable time of the same coach; the old time stays in history.

    Customers may do this until the type's reschedule window closes; staff at any time.
    """
    new_start, reason = checked_move(booking, starts_at, reason, slot_id, now)
    ctype = booking.consultation_type
    lock_row(booking)
    _require("reschedule", booking, actor, now)
    lock_coach_time(booking.coach_id)
    offer = check_bookable(coach_id=booking.coach_id, consultation_type_id=ctype.id,
                           duration_minutes=booking.duration_minutes, starts_at=new_start, now=now, slot_id=slot_id,
                           exclude_booking_id=booking.id)
    old_start = booking.starts_at
    booking.rescheduled_from_starts_at = old_start
    booking.reschedule_count = (booking.reschedule_count or 0) + 1
    place(booking, ctype, new_start, offer.slot_id or slot_id)
    flush_placement()
    to_status = TRANSITIONS["reschedule"][booking.status][0]
    _move(booking, "reschedule", to_status, actor=actor, now=now, reason=reason,
          data={"from_starts_at": old_start.isoformat(), "to_starts_at": new_start.isoformat()})
    return booking


def complete(booking: Booking, *, actor: User | None, now: datetime) -> Booking:
    """The session took place (only after its start)."""
    return _mark_after_start(booking, "complete", "completed", "completed_at", actor=actor, now=now)


def mark_no_show(booking: Booking, *, actor: User | None, now: datetime) -> Booking:
    """The customer did not come (only after the start)."""
    return _mark_after_start(booking, "no_show", "no_show", "no_show_at", actor=actor, now=now)


def _mark_after_start(booking: Booking, action: str, to_status: str, stamp: str, *, actor: User | None,
                      now: datetime) -> Booking:
    lock_row(booking)
    _require(action, booking, actor, now)
    setattr(booking, stamp, now)
    _move(booking, action, to_status, actor=actor, now=now)
    return booking


def leave_feedback(booking: Booking, *, rating: int, comment: str, actor: User | None, now: datetime) -> Booking:
    """The customer rates a completed session once (1–5 and a comment); the coach's average follows."""
    comment = checked_feedback(rating, comment)
    lock_row(booking)
    _require("feedback", booking, actor, now)
    booking.feedback_rating = rating
    booking.feedback_comment = comment
    booking.feedback_at = now
    booking.updated_at = now
    record_event(booking, "feedback", actor=actor, now=now, data={"rating": rating})
    update_coach_rating(booking.coach_id)
    return booking


# --------------------------------------------------------------------------- holds


def _expire(booking: Booking, now: datetime) -> bool:
    lock_row(booking)
    if booking.status != "pending_payment" or booking.hold_expires_at is None or booking.hold_expires_at > now:
        return False  # paid or cancelled meanwhile
    _close(booking, "cancel", by="system", reason=HOLD_EXPIRED_REASON, actor=None, now=now,
           extra={"hold_expired": True})
    return True


def expire_holds(now: datetime, coach_id: int | None = None) -> int:
    """Cancel, as the system, every unpaid booking (of one coach, or all) whose hold ran out, freeing its time.

    Safe to run again and alongside bookings and payments: each hold is re-read under a row lock
    and skipped when it was paid or cancelled meanwhile. Returns how many were cancelled.
    """
    query = select(Booking.id).where(Booking.status == "pending_payment", Booking.hold_expires_at <= now)
    if coach_id is not None:
        query = query.where(Booking.coach_id == coach_id)
    expired = list(db.session.scalars(query.order_by(Booking.id)))
    return sum(_expire(db.session.get(Booking, booking_id), now) for booking_id in expired)
