"""Checking what a person typed before a booking service acts on it.

New bookings: every field of a request is checked before anything is written, and one
DomainError names all the bad ones (`checked_request`); `new_booking` builds the row with the
type's title and price copied (frozen) onto it. The small field checks here (reasons, instants)
serve the lifecycle's moves too. Whether the time itself is bookable is availability's answer
(availability.services.check_bookable), asked under the coach's lock.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email

from ..auth.models import User
from ..catalog.models import CoachProfile, ConsultationType
from ..core.errors import DomainError
from ..core.money import quantize
from ..core.validation import is_timezone, normalize_phone
from ..extensions import db
from .models import CANCELLED_BY, MEETING_TYPES, SOURCES, Booking

MAX_REASON = 1000
MAX_COMMENT = 2000
MAX_INTAKE_CHARS = 10_000
UTC = timezone.utc


def text_field(value, field: str, fields: dict, *, required: bool = True, limit: int = MAX_REASON) -> str:
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


def raise_if(fields: dict[str, str]) -> None:
    if fields:
        if len(fields) == 1:
            raise DomainError(next(iter(fields.values())), fields=fields)
        raise DomainError("Please correct the highlighted fields", fields=fields)


def as_instant(value, fields: dict, field: str = "starts_at") -> datetime | None:
    if not isinstance(value, datetime):
        fields[field] = "Choose a date and time"
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        fields[field] = "The time must carry its time zone"
        return None
    return value.astimezone(UTC)


def check_when(starts_at: datetime | None, ctype: ConsultationType | None, now: datetime, fields: dict) -> None:
    if starts_at is None:
        return
    if starts_at <= now:
        fields["starts_at"] = "This time has already passed; choose a time in the future"
    elif ctype is not None and starts_at > now + timedelta(days=ctype.horizon_days):
        fields["starts_at"] = f"Bookings open at most {ctype.horizon_days} days ahead; choose an earlier date"


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _load_offer(consultation_type_id, coach_id, duration_minutes, fields: dict):
    ctype = db.session.get(ConsultationType, consultation_type_id) if is_int(consultation_type_id) else None
    if ctype is None or not ctype.is_active:
        fields["consultation_type_id"] = "Choose a consultation type that is on offer"
    coach = db.session.get(CoachProfile, coach_id) if is_int(coach_id) else None
    if coach is None or not coach.is_active:
        fields["coach_id"] = "Choose a coach who is taking bookings"
    elif ctype is not None and ctype not in coach.consultation_types:
        fields["coach_id"] = "This coach does not offer this consultation"
    option = ctype.option_for(duration_minutes) if ctype is not None and is_int(duration_minutes) else None
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
    name = text_field(given.get("name", customer.name), "name", fields, limit=120)
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



@dataclass(frozen=True)
class BookingRequest:
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


def checked_request(customer, consultation_type_id, coach_id, duration_minutes, starts_at, meeting_type, zone,
                     now, contact, intake, alternative, slot_id, source) -> BookingRequest:
    """Every field checked before anything is written; one DomainError naming all the bad ones."""
    fields: dict[str, str] = {}
    ctype, coach, option = _load_offer(consultation_type_id, coach_id, duration_minutes, fields)
    starts_at = as_instant(starts_at, fields)
    check_when(starts_at, ctype, now, fields)
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
    if slot_id is not None and not is_int(slot_id):
        fields["slot_id"] = "Choose one of the offered times"
    raise_if(fields)
    return BookingRequest(ctype, coach, quantize(option.price, ctype.currency), duration_minutes, starts_at, meeting_type,
                    zone, details, intake, alternative)


def new_booking(customer: User, request: BookingRequest, now: datetime, *, source: str, ip_address: str | None,
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


# --------------------------------------------------------------------------- the moves' inputs


def checked_reason(reason, *, required: bool) -> str | None:
    """A reason typed for a move: trimmed, at most MAX_REASON characters; None when left out."""
    fields: dict[str, str] = {}
    value = text_field(reason, "reason", fields, required=required)
    raise_if(fields)
    return value or None


def checked_cancellation(reason, by) -> str:
    """A cancellation's reason (required) and on whose account it is."""
    fields: dict[str, str] = {}
    reason = text_field(reason, "reason", fields)
    if by not in CANCELLED_BY:
        fields["by"] = f"Cancelled by must be one of {', '.join(CANCELLED_BY)}"
    raise_if(fields)
    return reason


def checked_move(booking: Booking, starts_at, reason, slot_id, now: datetime) -> tuple[datetime, str | None]:
    """A reschedule's new start (UTC) and optional reason; the time must differ from the current one."""
    fields: dict[str, str] = {}
    new_start = as_instant(starts_at, fields)
    reason = text_field(reason, "reason", fields, required=False) or None
    check_when(new_start, booking.consultation_type, now, fields)
    if new_start is not None and new_start == booking.starts_at and slot_id == booking.slot_id:
        fields["starts_at"] = "The booking is already at this time"
    raise_if(fields)
    return new_start, reason


def checked_feedback(rating, comment) -> str | None:
    """A review: a rating 1-5 and an optional comment of at most MAX_COMMENT characters."""
    fields: dict[str, str] = {}
    if not is_int(rating) or not 1 <= rating <= 5:
        fields["rating"] = "Give a rating from 1 to 5"
    comment = text_field(comment, "comment", fields, required=False, limit=MAX_COMMENT)
    raise_if(fields)
    return comment or None
