"""Explicit slots: a coach opens a date and time with a number of seats, one at a time or in bulk.

Import these from `bookingadmin.availability.services`. Like every editing service (editing.py)
each checks permission, validates with errors naming the field, takes the coach's lock, flushes
without committing and records an AvailabilityChange.

Slots keep their date and capacity for life: seats were sold against them. Their times may
move only while nobody holds a seat; deleting a slot anything ever referenced is refused
(deactivate it instead, which stops new bookings and keeps the existing ones). Who holds a
seat is asked of the registered time sources (sources.py), never of bookings directly.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..catalog.models import CoachProfile
from ..core.errors import Conflict, DomainError, NotFound, PermissionDenied
from ..extensions import db
from . import sources
from .editing import _check_not_past, _managed_coach, _offered_types, _record, can_manage_availability
from .models import DateOverride, Slot
from .schedule import slot_booked_counts

MAX_BULK_DAYS = 366
MAX_SLOT_CAPACITY = 500


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()  # update_slot: leave this field as it is


@dataclass(frozen=True)
class SlotSummary:
    """A slot with its seats as the editor shows them (booked counted from bookings)."""

    slot: Slot
    booked: int

    @property
    def remaining(self) -> int:
        return max(self.slot.capacity - self.booked, 0)


@dataclass
class BulkSlotsResult:
    """What create_slots_in_bulk did: the new slots, and each date it left out with the reason."""

    created: list[Slot] = field(default_factory=list)
    skipped: dict[date, str] = field(default_factory=dict)

    @property
    def created_count(self) -> int:
        return len(self.created)



def create_slot(coach_id: int, *, day: date, start_time: time, end_time: time, capacity: int = 1,
                consultation_type_id: int | None = None, is_active: bool = True, actor,
                now: datetime) -> Slot:
    """Open one explicit slot with `capacity` seats, optionally for one consultation type only.

    Refused when it overlaps another slot of the coach on that date, starts in a DST gap, or
    the date has passed.
    """
    coach = _managed_coach(coach_id, actor)
    _check_not_past("day", day, coach, now)
    _check_slot_fields(coach, start_time, end_time, capacity, consultation_type_id)
    problem = _slot_problem(coach, day, start_time, end_time, _slots_on(coach.id, day, day))
    if problem:
        raise DomainError.on_field("start_time", problem)
    slot = Slot(coach_id=coach.id, day=day, start_time=start_time, end_time=end_time, capacity=capacity,
                consultation_type_id=consultation_type_id, is_active=is_active, created_at=now)
    db.session.add(slot)
    db.session.flush()
    _record(coach, actor, "slot_created", f"Slot {day.isoformat()} {start_time:%H:%M}-{end_time:%H:%M}, "
            f"{capacity} seat(s)", now, slot_id=slot.id)
    return slot


def create_slots_in_bulk(coach_id: int, *, weekdays: Iterable[int], start_date: date, end_date: date,
                         start_time: time, end_time: time, capacity: int = 1,
                         consultation_type_id: int | None = None, actor, now: datetime) -> BulkSlotsResult:
    """One slot at start_time-end_time on each chosen weekday (0 = Monday) from start_date to end_date.

    Dates where the slot would overlap an existing slot, that are blocked, or where the start
    falls in a DST gap are skipped and reported with the reason; the rest are created.
    """
    coach = _managed_coach(coach_id, actor)
    weekdays = _check_weekdays(weekdays)
    if end_date < start_date:
        raise DomainError.on_field("end_date", "The last date is before the first")
    if (end_date - start_date).days >= MAX_BULK_DAYS:
        raise DomainError.on_field("end_date", f"Create slots for at most {MAX_BULK_DAYS} days at a time")
    _check_not_past("start_date", start_date, coach, now)
    _check_slot_fields(coach, start_time, end_time, capacity, consultation_type_id)
    days = [d for d in (start_date + timedelta(days=n) for n in range((end_date - start_date).days + 1))
            if d.weekday() in weekdays]
    if not days:
        raise DomainError.on_field("weekdays", "None of these weekdays falls between the two dates")
    existing = _slots_on(coach.id, start_date, end_date)
    blocked = _blocked_days(coach.id, start_date, end_date)
    result = BulkSlotsResult()
    for day in days:
        problem = _blocked_problem(day, blocked) or _slot_problem(coach, day, start_time, end_time, existing)
        if problem:
            result.skipped[day] = problem
            continue
        result.created.append(Slot(coach_id=coach.id, day=day, start_time=start_time, end_time=end_time,
                                   capacity=capacity, consultation_type_id=consultation_type_id, created_at=now))
    db.session.add_all(result.created)
    db.session.flush()
    _record(coach, actor, "slots_created",
            f"{result.created_count} slot(s) {start_time:%H:%M}-{end_time:%H:%M} from {start_date.isoformat()} "
            f"to {end_date.isoformat()}, {len(result.skipped)} date(s) skipped", now,
            slot_ids=[s.id for s in result.created], skipped=result.skipped)
    return result


def update_slot(slot_id: int, *, actor, now: datetime, start_time: time = KEEP, end_time: time = KEEP,
                is_active: bool = KEEP) -> Slot:
    """Change a slot's times or open/close it. Its date and capacity never change.

    Times may change only while no booking (other than cancelled ones) is in the slot: those
    customers bought that time. Opening or closing is always allowed; closing keeps the
    existing bookings and stops new ones.
    """
    slot, coach = _managed_slot(slot_id, actor)
    new_start = slot.start_time if start_time is KEEP else start_time
    new_end = slot.end_time if end_time is KEEP else end_time
    changes: dict[str, Any] = {}
    if (new_start, new_end) != (slot.start_time, slot.end_time):
        _check_times_movable(slot)
        _check_slot_fields(coach, new_start, new_end, slot.capacity, None)
        others = [s for s in _slots_on(coach.id, slot.day, slot.day) if s.id != slot.id]
        problem = _slot_problem(coach, slot.day, new_start, new_end, others)
        if problem:
            raise DomainError.on_field("start_time", problem)
        changes["times"] = [f"{slot.start_time:%H:%M}-{slot.end_time:%H:%M}", f"{new_start:%H:%M}-{new_end:%H:%M}"]
        slot.start_time, slot.end_time = new_start, new_end
    if is_active is not KEEP and bool(is_active) != slot.is_active:
        changes["is_active"] = bool(is_active)
        slot.is_active = bool(is_active)
    if changes:
        db.session.flush()
        _record(coach, actor, "slot_updated", f"Slot {slot.day.isoformat()} changed: "
                + ", ".join(f"{k} {v}" for k, v in changes.items()), now, slot_id=slot.id, **changes)
    return slot


def delete_slot(slot_id: int, *, actor, now: datetime) -> None:
    """Delete a slot nobody ever booked. Any booking referencing it (even cancelled or past) refuses."""
    slot, coach = _managed_slot(slot_id, actor)
    references = sources.slot_references(slot.id, open_only=False)
    if references:
        raise Conflict(f"{references} booking(s) refer to this slot, so it cannot be deleted; close it instead.",
                       fields={"slot_id": "This slot has bookings"}, code="slot_booked")
    summary = f"Slot {slot.day.isoformat()} {slot.start_time:%H:%M}-{slot.end_time:%H:%M} deleted"
    db.session.delete(slot)
    _record(coach, actor, "slot_deleted", summary, now, slot_id=slot_id)


def list_slots(coach_id: int, start: date, end: date, *, actor, now: datetime) -> list[SlotSummary]:
    """The coach's slots on start..end with seats booked (two queries), for the editor."""
    coach = db.session.get(CoachProfile, coach_id)
    if coach is None:
        raise NotFound.on_field("coach_id", "This coach does not exist")
    if not can_manage_availability(actor, coach):
        raise PermissionDenied("You can see only your own slots")
    slots = _slots_on(coach.id, start, end)
    counts = slot_booked_counts([s.id for s in slots], now=now)
    return [SlotSummary(s, counts[s.id]) for s in slots]


def _managed_slot(slot_id: int, actor) -> tuple[Slot, CoachProfile]:
    slot = db.session.get(Slot, slot_id)
    if slot is None:
        raise NotFound.on_field("slot_id", "This slot does not exist")
    return slot, _managed_coach(slot.coach_id, actor)


def _check_times_movable(slot: Slot) -> None:
    held = sources.slot_references(slot.id, open_only=True)
    if held:
        raise Conflict(f"{held} booking(s) are in this slot, so its time cannot change; "
                       "reschedule them or create a new slot.",
                       fields={"start_time": "This slot has bookings"}, code="slot_booked")


def _check_slot_fields(coach: CoachProfile, start: time, end: time, capacity: int,
                       consultation_type_id: int | None) -> None:
    if end <= start:
        raise DomainError.on_field("end_time", f"The end {end:%H:%M} must be after the start {start:%H:%M}")
    if not isinstance(capacity, int) or not 1 <= capacity <= MAX_SLOT_CAPACITY:
        raise DomainError.on_field("capacity", f"Seats must be 1 to {MAX_SLOT_CAPACITY}")
    if consultation_type_id is not None and consultation_type_id not in _offered_types(coach.id):
        raise DomainError.on_field("consultation_type_id", "The coach does not offer this consultation type")


def _check_weekdays(weekdays: Iterable[int]) -> set[int]:
    chosen = set(weekdays)
    if not chosen:
        raise DomainError.on_field("weekdays", "Choose at least one weekday")
    if not chosen <= set(range(7)):
        raise DomainError.on_field("weekdays", "Weekdays are 0 (Monday) to 6 (Sunday)")
    return chosen


def _slots_on(coach_id: int, start: date, end: date) -> list[Slot]:
    return list(db.session.scalars(select(Slot).where(Slot.coach_id == coach_id, Slot.day.between(start, end))
                                   .order_by(Slot.day, Slot.start_time)))


def _blocked_days(coach_id: int, start: date, end: date) -> dict[date, str]:
    rows = db.session.execute(select(DateOverride.day, DateOverride.reason).where(
        DateOverride.coach_id == coach_id, DateOverride.blocked, DateOverride.day.between(start, end)))
    return {day: reason or "" for day, reason in rows}


def _blocked_problem(day: date, blocked: dict[date, str]) -> str | None:
    if day not in blocked:
        return None
    return f"blocked ({blocked[day]})" if blocked[day] else "blocked"


def _slot_problem(coach: CoachProfile, day: date, start: time, end: time, existing: Iterable[Slot]) -> str | None:
    """Why a slot at day start-end cannot be created among `existing`, or None."""
    if not _exists(day, start, coach.timezone):
        return f"{start:%H:%M} does not exist on {day.isoformat()} in {coach.timezone} (the clocks go forward)"
    for other in existing:
        if other.day == day and start < other.end_time and other.start_time < end:
            return f"overlaps the slot {other.start_time:%H:%M}-{other.end_time:%H:%M} on {day.isoformat()}"
    return None


def _exists(day: date, wall: time, zone_name: str) -> bool:
    """Whether a wall-clock time happens on that date in that zone (not inside a DST gap)."""
    zone = ZoneInfo(zone_name)
    naive = datetime.combine(day, wall)
    return naive.replace(tzinfo=zone).astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) == naive
