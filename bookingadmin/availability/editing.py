"""Changing a coach's availability: weekly hours, date overrides, blocked dates, explicit slots.

Import these from `bookingadmin.availability.services`. Every function checks permission (a
coach edits only their own availability, an admin everyone's, `actor=None` is the system),
validates its input with errors naming the field, takes the coach's booking lock so an edit
and a booking cannot interleave, flushes without committing, and records an AvailabilityChange.

Slots keep their date and capacity for life: seats were sold against them. Their times may
move only while nobody holds a seat; deleting a slot any booking ever referenced is refused
(deactivate it instead, which stops new bookings and keeps the existing ones).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select

from ..auth.policy import allowed
from ..bookings.models import Booking
from ..catalog.models import CoachProfile, coach_consultation_types
from ..core.errors import Conflict, DomainError, NotFound, PermissionDenied
from ..extensions import db
from . import engine
from .models import AvailabilityChange, DateOverride, Slot, WeeklyHours
from .schedule import holds_time, slot_booked_counts

MAX_BLOCK_DAYS = 366
MAX_BULK_DAYS = 366
MAX_SLOT_CAPACITY = 500
REASON_LENGTH = 200


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


@dataclass(frozen=True)
class BlockResult:
    """Dates blocked, and the bookings already on them (they stay booked: cancel or move them)."""

    days: int
    affected_booking_ids: list[int]


# --------------------------------------------------------------------------- access


def can_manage_availability(actor, coach: CoachProfile) -> bool:
    """Whether `actor` may edit this coach's availability (the editor's buttons ask this too)."""
    return actor is None or allowed(actor, "availability.manage", coach)


def _managed_coach(coach_id: int, actor) -> CoachProfile:
    """The coach, after the permission check, with the coach's booked time locked.

    The lock is the one every booking writer takes (bookings.lifecycle.lock_coach_time), so
    "does this slot have bookings?" and the change that depends on the answer are one step.
    """
    from ..bookings.lifecycle import lock_coach_time  # at call time: lifecycle imports availability

    coach = db.session.get(CoachProfile, coach_id)
    if coach is None:
        raise NotFound.on_field("coach_id", "This coach does not exist")
    if not can_manage_availability(actor, coach):
        raise PermissionDenied("You can change only your own availability")
    lock_coach_time(coach.id)
    return coach


def _record(coach: CoachProfile, actor, action: str, summary: str, now: datetime, **data: Any) -> None:
    db.session.add(AvailabilityChange(coach_id=coach.id, actor_id=getattr(actor, "id", None), action=action,
                                      summary=summary[:300], data=_jsonable(data) or None, created_at=now))
    db.session.flush()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, time)):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------- weekly hours


def replace_weekly_hours(coach_id: int, intervals: Iterable[engine.WeeklyInterval], *, actor,
                         now: datetime) -> list[WeeklyHours]:
    """Make `intervals` the coach's whole weekly hours (several per weekday; the gaps are breaks).

    Each interval ends after it starts; intervals on one weekday may not overlap (touching is
    fine); type restrictions name types the coach offers. Nothing changes when any is wrong.
    """
    coach = _managed_coach(coach_id, actor)
    intervals = list(intervals)
    offered = _offered_types(coach.id)
    for index, interval in enumerate(intervals):
        _check_weekly_interval(index, interval, offered)
    _check_no_overlap([(i.weekday, i.start, i.end, n) for n, i in enumerate(intervals)])
    db.session.execute(delete(WeeklyHours).where(WeeklyHours.coach_id == coach.id))
    rows = [WeeklyHours(coach_id=coach.id, weekday=i.weekday, start_time=i.start, end_time=i.end,
                        consultation_type_ids=sorted(i.consultation_type_ids)
                        if i.consultation_type_ids is not None else None)
            for i in sorted(intervals, key=lambda i: (i.weekday, i.start))]
    db.session.add_all(rows)
    _record(coach, actor, "weekly_hours_replaced", f"Weekly hours set ({len(rows)} intervals)", now,
            intervals=[(r.weekday, r.start_time, r.end_time, r.consultation_type_ids) for r in rows])
    return rows


def _check_weekly_interval(index: int, interval: engine.WeeklyInterval, offered: set[int]) -> None:
    name = f"intervals[{index}]"
    if not isinstance(interval.weekday, int) or not 0 <= interval.weekday <= 6:
        raise DomainError.on_field(name, "The weekday must be Monday (0) to Sunday (6)")
    if interval.end <= interval.start:
        raise DomainError.on_field(name, f"The end {interval.end:%H:%M} must be after the start {interval.start:%H:%M}")
    types = interval.consultation_type_ids
    if types is not None:
        if not types:
            raise DomainError.on_field(name, "Choose at least one consultation type, or leave it open to all")
        unknown = set(types) - offered
        if unknown:
            raise DomainError.on_field(name, "The coach does not offer consultation type(s) "
                                             + ", ".join(str(t) for t in sorted(unknown)))


def _check_no_overlap(items: list[tuple[int, time, time, int]]) -> None:
    """(weekday, start, end, index): refuse two overlapping intervals on one weekday."""
    ordered = sorted(items)
    for (day_a, start_a, end_a, index_a), (day_b, start_b, end_b, index_b) in zip(ordered, ordered[1:]):
        if day_a == day_b and start_b < end_a:
            raise DomainError.on_field(
                f"intervals[{max(index_a, index_b)}]",
                f"{_WEEKDAYS[day_a]} {start_b:%H:%M}-{end_b:%H:%M} overlaps {start_a:%H:%M}-{end_a:%H:%M}")


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _offered_types(coach_id: int) -> set[int]:
    return set(db.session.scalars(select(coach_consultation_types.c.consultation_type_id)
                                  .where(coach_consultation_types.c.coach_id == coach_id)))


# --------------------------------------------------------------------------- date overrides


def set_date_override(coach_id: int, day: date, hours: Sequence[tuple[time, time]], *, reason: str = "",
                      actor, now: datetime) -> list[DateOverride]:
    """Give one coach-local date its own hours instead of the weekly ones; no hours blocks the date.

    Replaces whatever override the date had. A blocked date offers nothing, slots included.
    """
    coach = _managed_coach(coach_id, actor)
    _check_not_past("day", day, coach, now)
    reason = _check_reason(reason)
    for index, (start, end) in enumerate(hours):
        if end <= start:
            raise DomainError.on_field(f"hours[{index}]", f"The end {end:%H:%M} must be after the start {start:%H:%M}")
    _check_no_overlap([(0, start, end, n) for n, (start, end) in enumerate(hours)])
    _delete_overrides(coach.id, day, day)
    if hours:
        rows = [DateOverride(coach_id=coach.id, day=day, blocked=False, start_time=start, end_time=end,
                             reason=reason) for start, end in sorted(hours)]
        summary = f"Custom hours on {day.isoformat()}: " + ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in sorted(hours))
    else:
        rows = [DateOverride(coach_id=coach.id, day=day, blocked=True, reason=reason)]
        summary = f"Blocked {day.isoformat()}" + (f" ({reason})" if reason else "")
    db.session.add_all(rows)
    _record(coach, actor, "date_override_set", summary, now, day=day, hours=list(hours), reason=reason)
    return rows


def clear_date_override(coach_id: int, day: date, *, until: date | None = None, actor, now: datetime) -> int:
    """Back to the weekly hours on `day` (or on day..until); returns how many dates had an override."""
    coach = _managed_coach(coach_id, actor)
    until = until or day
    if until < day:
        raise DomainError.on_field("until", "The last date is before the first")
    count = db.session.scalar(select(func.count(func.distinct(DateOverride.day)))
                              .where(DateOverride.coach_id == coach.id, DateOverride.day.between(day, until)))
    _delete_overrides(coach.id, day, until)
    span = day.isoformat() if until == day else f"{day.isoformat()} to {until.isoformat()}"
    _record(coach, actor, "date_override_cleared", f"Weekly hours again on {span}", now, start=day, end=until)
    return count


def block_dates(coach_id: int, start: date, end: date, reason: str, *, actor, now: datetime) -> BlockResult:
    """Block every coach-local date start..end (leave, a holiday), replacing their overrides.

    Bookings already on those dates are not touched; their ids come back so the editor can
    tell the person to cancel or move them.
    """
    coach = _managed_coach(coach_id, actor)
    if end < start:
        raise DomainError.on_field("end", "The last date is before the first")
    if (end - start).days >= MAX_BLOCK_DAYS:
        raise DomainError.on_field("end", f"Block at most {MAX_BLOCK_DAYS} days at a time")
    _check_not_past("start", start, coach, now)
    reason = _check_reason(reason)
    _delete_overrides(coach.id, start, end)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    db.session.add_all(DateOverride(coach_id=coach.id, day=d, blocked=True, reason=reason) for d in days)
    affected = _bookings_on(coach, start, end, now)
    _record(coach, actor, "dates_blocked", f"Blocked {start.isoformat()} to {end.isoformat()}"
            + (f" ({reason})" if reason else ""), now, start=start, end=end, reason=reason,
            affected_booking_ids=affected)
    return BlockResult(len(days), affected)


def _delete_overrides(coach_id: int, start: date, end: date) -> None:
    db.session.execute(delete(DateOverride).where(DateOverride.coach_id == coach_id,
                                                  DateOverride.day.between(start, end)))


def _bookings_on(coach: CoachProfile, start: date, end: date, now: datetime) -> list[int]:
    zone = ZoneInfo(coach.timezone)
    low = datetime.combine(start, time(0), tzinfo=zone)
    high = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone)
    return list(db.session.scalars(
        select(Booking.id).where(Booking.coach_id == coach.id, holds_time(now), Booking.starts_at >= low,
                                 Booking.starts_at < high).order_by(Booking.starts_at)))


def _check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_LENGTH:
        raise DomainError.on_field("reason", f"Keep the reason under {REASON_LENGTH} characters")
    return reason


def _coach_today(coach: CoachProfile, now: datetime) -> date:
    return now.astimezone(ZoneInfo(coach.timezone)).date()


def _check_not_past(name: str, day: date, coach: CoachProfile, now: datetime) -> None:
    if day < _coach_today(coach, now):
        raise DomainError.on_field(name, "This date has passed")


# --------------------------------------------------------------------------- slots


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
    references = db.session.scalar(select(func.count()).where(Booking.slot_id == slot.id))
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
    held = db.session.scalar(select(func.count()).where(Booking.slot_id == slot.id, Booking.status != "cancelled"))
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
