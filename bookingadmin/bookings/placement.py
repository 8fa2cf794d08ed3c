"""Where a booking sits in its coach's time, and writing it so the database can say no.

A booking keeps its coach's time over its own time widened by its type's buffers
(`busy_from`/`busy_until`). One-to-one bookings are exclusive: on PostgreSQL the exclusion
constraint ex_bookings_coach_busy refuses any overlap whatever the code does, and its refusal
becomes Conflict(code="slot_taken"). Group seats are counted under the coach's lock
(core.locking.lock_coach_time), which every writer takes before asking availability.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..availability.models import Slot
from ..catalog.models import ConsultationType
from ..core.errors import Conflict
from ..extensions import db
from .models import Booking
from .numbers import new_booking_number

TAKEN_MESSAGE = "That time was just taken"
NUMBER_ATTEMPTS = 8


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


def insert_with_number(booking: Booking, now: datetime) -> None:
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

