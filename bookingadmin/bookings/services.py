"""Booking changes that are not status moves (coach, meeting details, staff notes) and object-level access.

Each change writes a BookingEvent (coach_changed, meeting_updated, notes_updated) with the names
of what changed; like lifecycle, nothing here commits.
"""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from sqlalchemy import Select

from ..auth.models import User
from ..availability.services import check_bookable
from ..catalog.models import CoachProfile
from ..core.errors import Conflict, DomainError, NotFound, PermissionDenied
from ..core.locking import lock_coach_time
from ..extensions import db
from . import lifecycle
from .placement import flush_placement, place
from .access import bookings_visible_to, can_read_intake, can_view, manages, visible_condition
from .models import ACTIVE_STATUSES, MEETING_TYPES, Booking

__all__ = ["bookings_visible_to", "can_read_intake", "can_view", "change_coach", "get_booking_for",
           "set_meeting_details", "update_staff_notes", "visible_condition"]


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()  # "leave this field as it is" (None clears it)


def get_booking_for(user, number: str) -> Booking:
    """The booking with this number if `user` may see it; NotFound otherwise (no hint it exists)."""
    booking = None
    if isinstance(number, str) and number.strip():
        query: Select = bookings_visible_to(user).where(Booking.number == number.strip().upper())
        booking = db.session.scalars(query).one_or_none()
    if booking is None:
        raise NotFound("There is no such booking")
    return booking


def _require_manager(booking: Booking, actor: User | None) -> None:
    if actor is not None and not manages(actor, booking):
        raise PermissionDenied("You are not allowed to change this booking")


def can_change_coach(booking: Booking, actor: User | None) -> bool:
    """The guard change_coach() applies: an open booking, moved by someone who manages it."""
    return booking.status in ACTIVE_STATUSES and (actor is None or manages(actor, booking))


def change_coach(booking: Booking, *, coach_id: int, actor: User | None, now: datetime,
                 reason: str | None = None) -> Booking:
    """Give an open booking to another coach who offers its type and is free at its time."""
    _require_manager(booking, actor)
    coach = db.session.get(CoachProfile, coach_id) if isinstance(coach_id, int) else None
    ctype = booking.consultation_type
    if coach is None or not coach.is_active:
        raise DomainError.on_field("coach_id", "Choose a coach who is taking bookings")
    if ctype not in coach.consultation_types:
        raise DomainError.on_field("coach_id", "This coach does not offer this consultation")
    if coach.id == booking.coach_id:
        raise DomainError.on_field("coach_id", "The booking is already with this coach")
    if booking.status not in ACTIVE_STATUSES:
        raise Conflict("Only an open booking can move to another coach", code="invalid_transition")
    lock_coach_time(coach.id)
    offer = check_bookable(coach_id=coach.id, consultation_type_id=ctype.id, duration_minutes=booking.duration_minutes,
                           starts_at=booking.starts_at, now=now, exclude_booking_id=booking.id)
    old_coach_id = booking.coach_id
    booking.coach = coach
    place(booking, ctype, booking.starts_at, offer.slot_id)
    booking.updated_at = now
    flush_placement()
    lifecycle.record_event(booking, "coach_changed", actor=actor, now=now, reason=(reason or "").strip() or None,
                           data={"from_coach_id": old_coach_id, "to_coach_id": coach.id})
    return booking


def _link(value, fields: dict) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 500:
        fields["meeting_link"] = "Enter the full meeting link, starting with https://"
    return value


def _short(value, field: str, limit: int, fields: dict) -> str | None:
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        fields[field] = "This must be text"
    elif len(value) > limit:
        fields[field] = f"Use at most {limit} characters"
    return value or None


def set_meeting_details(booking: Booking, *, actor: User | None, now: datetime, meeting_type=UNSET,
                        meeting_link=UNSET, meeting_password=UNSET, meeting_location=UNSET) -> Booking:
    """Set how the session happens (online link and password, or a place). UNSET leaves a field alone."""
    _require_manager(booking, actor)
    if booking.status not in ACTIVE_STATUSES:
        raise Conflict("Meeting details can be changed only on an open booking", code="invalid_transition")
    fields: dict[str, str] = {}
    changes = {}
    if meeting_type is not UNSET:
        mode = booking.consultation_type.meeting_mode
        if meeting_type not in MEETING_TYPES or mode not in ("both", meeting_type):
            fields["meeting_type"] = "This consultation cannot take place this way"
        changes["meeting_type"] = meeting_type
    if meeting_link is not UNSET:
        changes["meeting_link"] = _link(meeting_link, fields)
    if meeting_password is not UNSET:
        changes["meeting_password"] = _short(meeting_password, "meeting_password", 100, fields)
    if meeting_location is not UNSET:
        changes["meeting_location"] = _short(meeting_location, "meeting_location", 500, fields)
    return _apply(booking, changes, fields, "meeting_updated", actor=actor, now=now)


def update_staff_notes(booking: Booking, *, actor: User | None, now: datetime, admin_notes=UNSET,
                       follow_up_required=UNSET, follow_up_notes=UNSET, follow_up_date=UNSET) -> Booking:
    """Staff's private notes and follow-up on a booking (any status). UNSET leaves a field alone."""
    _require_manager(booking, actor)
    fields: dict[str, str] = {}
    changes = {}
    if admin_notes is not UNSET:
        changes["admin_notes"] = _short(admin_notes, "admin_notes", 5000, fields)
    if follow_up_notes is not UNSET:
        changes["follow_up_notes"] = _short(follow_up_notes, "follow_up_notes", 5000, fields)
    if follow_up_required is not UNSET:
        if not isinstance(follow_up_required, bool):
            fields["follow_up_required"] = "Choose yes or no"
        changes["follow_up_required"] = follow_up_required
    if follow_up_date is not UNSET:
        if follow_up_date is not None and (not isinstance(follow_up_date, date) or isinstance(follow_up_date, datetime)):
            fields["follow_up_date"] = "Choose a date"
        changes["follow_up_date"] = follow_up_date
    return _apply(booking, changes, fields, "notes_updated", actor=actor, now=now)


def _apply(booking: Booking, changes: dict, fields: dict, action: str, *, actor: User | None,
           now: datetime) -> Booking:
    if fields:
        message = next(iter(fields.values())) if len(fields) == 1 else "Please correct the highlighted fields"
        raise DomainError(message, fields=fields)
    changed = sorted(name for name, value in changes.items() if getattr(booking, name) != value)
    if not changed:
        return booking
    for name in changed:
        setattr(booking, name, changes[name])
    booking.updated_at = now
    lifecycle.record_event(booking, action, actor=actor, now=now, data={"changed": changed})
    return booking

