"""The booking state machine: the only code that sets Booking.status.

    pending_payment ─pay─▶ pending_confirmation ─confirm─▶ confirmed ─reschedule─▶ rescheduled
          │  (free types skip payment)  │                    │  ╲                    │
          │                           reject                 │   complete / no_show ◀┘
          └────────── cancel (customer, staff, system) ──────┴──▶ cancelled

Every function here checks its guard (the same `can()` the UI asks before showing a button),
changes the booking, writes a BookingEvent (who, when, from, to, why) and sends
`booking_event_recorded` after flushing it. Nothing commits: the caller commits once.

No double booking. Every change to a coach's booked time first takes a per-coach lock for the
rest of the transaction (PostgreSQL: pg_advisory_xact_lock; SQLite: BEGIN IMMEDIATE, its single
writer), then asks availability whether the time is bookable, then writes. On PostgreSQL the
exclusion constraint ex_bookings_coach_busy refuses overlapping one-to-one bookings whatever the
code does; its violation becomes Conflict(code="slot_taken"). The lock makes seat counts of
group slots and per-day limits exact too.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from ..auth.models import User
from ..auth.permissions import has_permission
from ..availability.models import Slot
from ..catalog.models import CoachProfile, ConsultationType
from ..core.errors import Conflict, DomainError, PermissionDenied
from ..core.events import booking_event_recorded
from ..core.money import quantize
from ..core.validation import is_timezone, normalize_phone
from ..extensions import db
from . import policy
from .access import is_customer_of, manages
from .models import ACTIVE_STATUSES, CANCELLED_BY, MEETING_TYPES, PAYMENT_METHODS, SOURCES, Booking, BookingEvent
from .numbers import new_booking_number

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

STATUS_LABELS = {"pending_payment": "awaiting payment", "pending_confirmation": "awaiting confirmation",
                 "confirmed": "confirmed", "rescheduled": "rescheduled", "completed": "completed",
                 "no_show": "marked as a no-show", "cancelled": "cancelled"}
ACTION_VERBS = {"pay": "paid for", "confirm": "confirmed", "reject": "rejected", "reschedule": "rescheduled",
                "cancel": "cancelled", "complete": "marked completed", "no_show": "marked as a no-show",
                "feedback": "reviewed"}

TAKEN_MESSAGE = "That time was just taken"
HOLD_EXPIRED_REASON = "The time was released because payment was not completed in time"
COACH_LOCK_NAMESPACE = 2881  # pg_advisory_xact_lock(COACH_LOCK_NAMESPACE, coach_id)
NUMBER_ATTEMPTS = 8
MAX_REASON = 1000
MAX_COMMENT = 2000
MAX_INTAKE_CHARS = 10_000
UTC = timezone.utc


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
        message = f"This booking is {STATUS_LABELS[booking.status]}; it cannot be {ACTION_VERBS[action]}"
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


# --------------------------------------------------------------------------- locks


def _begin_immediate() -> None:
    """SQLite: take the database's write lock now, so read-then-write is one serial step."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_coach_time(coach_id: int) -> None:
    """Hold the coach's booked time still until this transaction ends.

    Every writer of a coach's bookings (create, reschedule, change of coach; availability's slot
    edits may join) takes this lock before deciding, so "is there a seat left?" and "take it"
    happen as one step. PostgreSQL: a transaction-scoped advisory lock per coach; SQLite: the
    database's single write lock.
    """
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:namespace, :coach_id)"),
                           {"namespace": COACH_LOCK_NAMESPACE, "coach_id": coach_id})
    else:
        _begin_immediate()


def _lock_booking(booking: Booking) -> None:
    """Reload the booking under a row lock, so two people cannot both move it from one state."""
    db.session.flush()
    if db.session.connection().dialect.name == "postgresql":
        db.session.refresh(booking, with_for_update=True)
    else:
        _begin_immediate()
        db.session.refresh(booking)


# --------------------------------------------------------------------------- input checks


def _text(value, field: str, fields: dict, *, required: bool = True, limit: int = MAX_REASON) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        fields[field] = "This must be text"
        return ""
    value = value.strip()
    if required and not value:
        fields[field] = "Please give a reason" if field == "reason" else "This field is required"
    elif len(value) > limit:
        fields[field] = f"Use at most {limit} characters"
    return value


def _raise_if(fields: dict[str, str]) -> None:
    if fields:
        if len(fields) == 1:
            raise DomainError(next(iter(fields.values())), fields=fields)
        raise DomainError("Please correct the highlighted fields", fields=fields)


def _as_instant(value, fields: dict, field: str = "starts_at") -> datetime | None:
    if not isinstance(value, datetime):
        fields[field] = "Choose a date and time"
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        fields[field] = "The time must carry its time zone"
        return None
    return value.astimezone(UTC)


def _check_when(starts_at: datetime | None, ctype: ConsultationType | None, now: datetime, fields: dict) -> None:
    if starts_at is None:
        return
    if starts_at <= now:
        fields["starts_at"] = "This time has already passed; choose a time in the future"
    elif ctype is not None and starts_at > now + timedelta(days=ctype.horizon_days):
        fields["starts_at"] = f"Bookings open at most {ctype.horizon_days} days ahead; choose an earlier date"


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _load_offer(consultation_type_id, coach_id, duration_minutes, fields: dict):
    ctype = db.session.get(ConsultationType, consultation_type_id) if _is_int(consultation_type_id) else None
    if ctype is None or not ctype.is_active:
        fields["consultation_type_id"] = "Choose a consultation type that is on offer"
    coach = db.session.get(CoachProfile, coach_id) if _is_int(coach_id) else None
    if coach is None or not coach.is_active:
        fields["coach_id"] = "Choose a coach who is taking bookings"
    elif ctype is not None and ctype not in coach.consultation_types:
        fields["coach_id"] = "This coach does not offer this consultation"
    option = ctype.option_for(duration_minutes) if ctype is not None and _is_int(duration_minutes) else None
    if ctype is not None and option is None:
        offered = ", ".join(str(o.minutes) for o in ctype.duration_options)
        fields["duration_minutes"] = f"This consultation is offered for {offered} minutes"
    return ctype, coach, option


def _check_meeting_type(meeting_type, ctype: ConsultationType | None, fields: dict) -> None:
    if meeting_type not in MEETING_TYPES:
        fields["meeting_type"] = "Choose online or in person"
    elif ctype is not None and ctype.meeting_mode not in ("both", meeting_type):
        where = "online" if ctype.meeting_mode == "online" else "in person"
        fields["meeting_type"] = f"This consultation takes place {where} only"


def _contact(customer: User, contact, fields: dict) -> dict[str, str]:
    given = contact if contact is not None else {}
    if not isinstance(given, dict) or set(given) - {"name", "email", "phone"}:
        fields["contact"] = "Contact details are a name, an email and a phone number"
        given = {}
    name = _text(given.get("name", customer.name), "name", fields, limit=120)
    email = given.get("email", customer.email) or ""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except (EmailNotValidError, TypeError):
        fields["email"] = "Enter an email address such as name@example.com"
    phone = given.get("phone", customer.phone) or ""
    if phone:
        try:
            phone = normalize_phone(phone)
        except (ValueError, AttributeError) as exc:
            fields["phone"] = str(exc) if isinstance(exc, ValueError) else "This is not a phone number"
    return {"name": name, "email": email, "phone": phone}


def _check_intake(intake, fields: dict) -> dict | None:
    if intake is None:
        return None
    if not isinstance(intake, dict) or not all(isinstance(key, str) for key in intake):
        fields["intake"] = "Intake details must be a set of named answers"
        return None
    try:
        size = len(json.dumps(intake, ensure_ascii=False))
    except (TypeError, ValueError):
        fields["intake"] = "Intake answers must be text, numbers or lists of them"
        return None
    if size > MAX_INTAKE_CHARS:
        fields["intake"] = "The intake answers are too long"
    return intake


def _check_alternative(alternative, fields: dict) -> tuple[date | None, time | None]:
    if alternative is None:
        return None, None
    if (not isinstance(alternative, tuple) or len(alternative) != 2 or not isinstance(alternative[0], date)
            or isinstance(alternative[0], datetime) or not isinstance(alternative[1], time)):
        fields["alternative"] = "Give the alternative as a date and a time"
        return None, None
    return alternative


def _check_booker(actor: User | None, customer: User, coach: CoachProfile | None) -> None:
    if actor is None:
        return
    if actor.id == customer.id and has_permission(actor, "bookings.book"):
        return
    if has_permission(actor, "bookings.manage") and (actor.role != "coach" or
                                                     (coach is not None and coach.user_id == actor.id)):
        return
    raise PermissionDenied("You cannot make a booking for this person")


# --------------------------------------------------------------------------- bookability


def ensure_bookable(*, ctype: ConsultationType, coach_id: int, duration_minutes: int, starts_at: datetime,
                    now: datetime, slot_id: int | None = None, exclude_booking_id: int | None = None):
    """availability's check_bookable (a BookableTime, or DomainError / Conflict(code="slot_taken")).

    Call lock_coach_time(coach_id) first: then its answer stays true until the commit.
    """
    from ..availability.services import check_bookable

    return check_bookable(coach_id=coach_id, consultation_type_id=ctype.id, duration_minutes=duration_minutes,
                          starts_at=starts_at, now=now, slot_id=slot_id, exclude_booking_id=exclude_booking_id)


def busy_range(ctype: ConsultationType, starts_at: datetime, duration_minutes: int) -> tuple[datetime, datetime]:
    """The coach's time a booking keeps: its own time widened by the type's buffers."""
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    return (starts_at - timedelta(minutes=ctype.buffer_before_minutes),
            ends_at + timedelta(minutes=ctype.buffer_after_minutes))


def _is_exclusive(ctype: ConsultationType, slot_id: int | None) -> bool:
    """One-to-one: the database refuses any overlap. Group seats are counted under the coach lock."""
    if ctype.capacity != 1:
        return False
    slot = db.session.get(Slot, slot_id) if slot_id is not None else None
    return slot is None or slot.capacity == 1


def place(booking: Booking, ctype: ConsultationType, starts_at: datetime, slot_id: int | None) -> None:
    """Put the booking at `starts_at` (UTC) with the busy range and exclusivity that go with it."""
    booking.starts_at = starts_at
    booking.ends_at = starts_at + timedelta(minutes=booking.duration_minutes)
    booking.busy_from, booking.busy_until = busy_range(ctype, starts_at, booking.duration_minutes)
    booking.slot_id = slot_id
    booking.exclusive = _is_exclusive(ctype, slot_id)


def _constraint(error: IntegrityError) -> str:
    """Which rule the database enforced: "busy" (exclusion), "number" (unique number) or "other"."""
    orig = error.orig
    if getattr(orig, "sqlstate", None) == "23P01":
        return "busy"
    name = getattr(getattr(orig, "diag", None), "constraint_name", None) or str(orig)
    return "number" if ("uq_bookings_number" in name or "bookings.number" in name) else "other"


def flush_placement() -> None:
    """Flush a booking's new time inside a SAVEPOINT; the exclusion constraint's no is slot_taken."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        if _constraint(error) == "busy":
            raise Conflict(TAKEN_MESSAGE, code="slot_taken", fields={"starts_at": TAKEN_MESSAGE}) from None
        raise


def _insert(booking: Booking, now: datetime) -> None:
    """INSERT with a fresh number, drawing again when the number is already used."""
    business_zone = current_app.config.get("DEFAULT_TIMEZONE") or "UTC"
    for _ in range(NUMBER_ATTEMPTS):
        booking.number = new_booking_number(now, business_zone)
        try:
            with db.session.begin_nested():
                db.session.add(booking)
            return
        except IntegrityError as error:
            kind = _constraint(error)
            if kind == "busy":
                raise Conflict(TAKEN_MESSAGE, code="slot_taken", fields={"starts_at": TAKEN_MESSAGE}) from None
            if kind != "number":
                raise
    raise RuntimeError(f"no free booking number after {NUMBER_ATTEMPTS} attempts")


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
    request = _checked_request(customer, consultation_type_id, coach_id, duration_minutes, starts_at, meeting_type,
                               timezone, now, contact, intake, alternative, slot_id, source)
    ctype, coach = request.ctype, request.coach
    _check_booker(actor, customer, coach)

    lock_coach_time(coach.id)
    _release_expired_holds(coach.id, now)
    offer = ensure_bookable(ctype=ctype, coach_id=coach.id, duration_minutes=duration_minutes,
                            starts_at=request.starts_at, now=now, slot_id=slot_id)
    booking = _new_booking(customer, request, now, source=source, ip_address=ip_address, user_agent=user_agent)
    place(booking, ctype, request.starts_at, getattr(offer, "slot_id", None) or slot_id)
    _start(booking, ctype, now)
    _insert(booking, now)
    record_event(booking, "created", actor=actor, now=now, from_status=None, to_status=booking.status,
                 data={"starts_at": booking.starts_at.isoformat(), "ends_at": booking.ends_at.isoformat(),
                       "amount": str(booking.amount), "currency": booking.currency, "source": source,
                       "hold_expires_at": booking.hold_expires_at.isoformat() if booking.hold_expires_at else None})
    return booking


@dataclass(frozen=True)
class _Request:
    """A booking request that passed every input check."""

    ctype: ConsultationType
    coach: CoachProfile
    price: Decimal
    duration_minutes: int
    starts_at: datetime
    meeting_type: str
    timezone: str
    contact: dict[str, str]
    intake: dict | None
    alternative: tuple[date | None, time | None]


def _checked_request(customer, consultation_type_id, coach_id, duration_minutes, starts_at, meeting_type, zone,
                     now, contact, intake, alternative, slot_id, source) -> _Request:
    """Every field checked before anything is written; one DomainError naming all the bad ones."""
    fields: dict[str, str] = {}
    ctype, coach, option = _load_offer(consultation_type_id, coach_id, duration_minutes, fields)
    starts_at = _as_instant(starts_at, fields)
    _check_when(starts_at, ctype, now, fields)
    _check_meeting_type(meeting_type, ctype, fields)
    if not is_timezone(zone):
        fields["timezone"] = "Choose a time zone such as Asia/Riyadh"
    if not customer.active:
        fields["customer"] = "This customer account is disabled"
    details = _contact(customer, contact, fields)
    intake = _check_intake(intake, fields)
    alternative = _check_alternative(alternative, fields)
    if source not in SOURCES:
        fields["source"] = f"Source must be one of {', '.join(SOURCES)}"
    if slot_id is not None and not _is_int(slot_id):
        fields["slot_id"] = "Choose one of the offered times"
    _raise_if(fields)
    return _Request(ctype, coach, quantize(option.price, ctype.currency), duration_minutes, starts_at, meeting_type,
                    zone, details, intake, alternative)


def _new_booking(customer: User, request: _Request, now: datetime, *, source: str, ip_address: str | None,
                 user_agent: str | None) -> Booking:
    """The booking row, with the type's title and price copied (frozen) onto it."""
    ctype, contact = request.ctype, request.contact
    local = request.starts_at.astimezone(ZoneInfo(request.timezone))
    booking = Booking(
        customer=customer, customer_name=contact["name"], customer_email=contact["email"],
        customer_phone=contact["phone"], consultation_type=ctype, type_title_en=ctype.title_en,
        type_title_ar=ctype.title_ar, type_category=ctype.category, coach=request.coach,
        duration_minutes=request.duration_minutes, timezone=request.timezone, preferred_date=local.date(),
        preferred_time=local.time(), alternative_date=request.alternative[0], alternative_time=request.alternative[1],
        meeting_type=request.meeting_type, amount=request.price, currency=ctype.currency, source=source,
        ip_address=(ip_address or None) and ip_address[:45], user_agent=(user_agent or None) and user_agent[:400],
        reschedule_count=0, created_at=now, updated_at=now)
    booking.intake = request.intake
    return booking


def _start(booking: Booking, ctype: ConsultationType, now: datetime) -> None:
    """The first status: paid bookings wait for payment holding their time; free ones skip it."""
    if booking.amount > 0:
        booking.status = "pending_payment"
        booking.payment_status = "unpaid"
        booking.hold_expires_at = now + timedelta(minutes=int(current_app.config.get("HOLD_MINUTES", 15)))
        return
    booking.payment_status = "not_required"
    booking.payment_method = "free"
    booking.status = "pending_confirmation" if ctype.requires_approval else "confirmed"
    if booking.status == "confirmed":
        booking.confirmed_at = now
    assert booking.status in TRANSITIONS["create"][None]


# --------------------------------------------------------------------------- moves


def mark_paid(booking: Booking, *, actor: User | None, now: datetime, method: str) -> Booking:
    """Payment arrived: on to confirmation (types that require approval) or straight to confirmed.

    Called by the payments domain once it has proof of payment; it owns payment_status.
    """
    if method not in PAYMENT_METHODS or method == "free":
        raise DomainError.on_field("method", "Choose how the booking was paid")
    _lock_booking(booking)
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
    fields: dict[str, str] = {}
    reason = _text(reason, "reason", fields, required=False) or None
    _raise_if(fields)
    _lock_booking(booking)
    _require("confirm", booking, actor, now)
    booking.confirmed_at = now
    _move(booking, "confirm", "confirmed", actor=actor, now=now, reason=reason)
    return booking


def reject(booking: Booking, *, actor: User | None, now: datetime, reason: str) -> Booking:
    """Staff turn down a booking waiting for approval; the customer is owed everything they paid."""
    fields: dict[str, str] = {}
    reason = _text(reason, "reason", fields)
    _raise_if(fields)
    _lock_booking(booking)
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
    fields: dict[str, str] = {}
    reason = _text(reason, "reason", fields)
    if by not in CANCELLED_BY:
        fields["by"] = f"Cancelled by must be one of {', '.join(CANCELLED_BY)}"
    _raise_if(fields)
    if actor is not None and by != "customer" and not manages(actor, booking):
        raise PermissionDenied("Only staff can cancel on the business's behalf")
    _lock_booking(booking)
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
    fields: dict[str, str] = {}
    new_start = _as_instant(starts_at, fields)
    reason = _text(reason, "reason", fields, required=False) or None
    ctype = booking.consultation_type
    _check_when(new_start, ctype, now, fields)
    if new_start is not None and new_start == booking.starts_at and slot_id == booking.slot_id:
        fields["starts_at"] = "The booking is already at this time"
    _raise_if(fields)
    _lock_booking(booking)
    _require("reschedule", booking, actor, now)
    lock_coach_time(booking.coach_id)
    offer = ensure_bookable(ctype=ctype, coach_id=booking.coach_id, duration_minutes=booking.duration_minutes,
                            starts_at=new_start, now=now, slot_id=slot_id, exclude_booking_id=booking.id)
    old_start = booking.starts_at
    booking.rescheduled_from_starts_at = old_start
    booking.reschedule_count = (booking.reschedule_count or 0) + 1
    place(booking, ctype, new_start, getattr(offer, "slot_id", None) or slot_id)
    flush_placement()
    to_status = TRANSITIONS["reschedule"][booking.status][0]
    _move(booking, "reschedule", to_status, actor=actor, now=now, reason=reason,
          data={"from_starts_at": old_start.isoformat(), "to_starts_at": new_start.isoformat()})
    return booking


def complete(booking: Booking, *, actor: User | None, now: datetime) -> Booking:
    """The session took place (only after its start)."""
    _lock_booking(booking)
    _require("complete", booking, actor, now)
    booking.completed_at = now
    _move(booking, "complete", "completed", actor=actor, now=now)
    return booking


def mark_no_show(booking: Booking, *, actor: User | None, now: datetime) -> Booking:
    """The customer did not come (only after the start)."""
    _lock_booking(booking)
    _require("no_show", booking, actor, now)
    booking.no_show_at = now
    _move(booking, "no_show", "no_show", actor=actor, now=now)
    return booking


def leave_feedback(booking: Booking, *, rating: int, comment: str, actor: User | None, now: datetime) -> Booking:
    """The customer rates a completed session once (1–5 and a comment); the coach's average follows."""
    fields: dict[str, str] = {}
    if not _is_int(rating) or not 1 <= rating <= 5:
        fields["rating"] = "Give a rating from 1 to 5"
    comment = _text(comment, "comment", fields, required=False, limit=MAX_COMMENT)
    _raise_if(fields)
    _lock_booking(booking)
    _require("feedback", booking, actor, now)
    booking.feedback_rating = rating
    booking.feedback_comment = comment or None
    booking.feedback_at = now
    booking.updated_at = now
    record_event(booking, "feedback", actor=actor, now=now, data={"rating": rating})
    _update_coach_rating(booking.coach_id)
    return booking


def _update_coach_rating(coach_id: int) -> None:
    """Average of every rated booking of the coach; the coach row is locked so two reviews add up."""
    coach = db.session.scalars(select(CoachProfile).where(CoachProfile.id == coach_id).with_for_update()).one()
    count, average = db.session.execute(
        select(func.count(Booking.feedback_rating), func.avg(Booking.feedback_rating))
        .where(Booking.coach_id == coach_id, Booking.feedback_rating.is_not(None))).one()
    coach.review_count = count
    coach.rating = Decimal(str(average or 0)).quantize(Decimal("0.01"))


# --------------------------------------------------------------------------- holds


def _expired_holds(now: datetime, coach_id: int | None = None) -> list[int]:
    query = select(Booking.id).where(Booking.status == "pending_payment", Booking.hold_expires_at <= now)
    if coach_id is not None:
        query = query.where(Booking.coach_id == coach_id)
    return list(db.session.scalars(query.order_by(Booking.id)))


def _expire(booking: Booking, now: datetime) -> bool:
    _lock_booking(booking)
    if booking.status != "pending_payment" or booking.hold_expires_at is None or booking.hold_expires_at > now:
        return False  # paid or cancelled meanwhile
    _close(booking, "cancel", by="system", reason=HOLD_EXPIRED_REASON, actor=None, now=now,
           extra={"hold_expired": True})
    return True


def _release_expired_holds(coach_id: int, now: datetime) -> int:
    return sum(_expire(db.session.get(Booking, booking_id), now) for booking_id in _expired_holds(now, coach_id))


def expire_holds(now: datetime) -> int:
    """Cancel, as the system, every unpaid booking whose hold ran out, freeing its time.

    Safe to run again and alongside bookings and payments: each hold is re-read under a row lock
    and skipped when it was paid or cancelled meanwhile. Returns how many were cancelled.
    """
    return sum(_expire(db.session.get(Booking, booking_id), now) for booking_id in _expired_holds(now))
