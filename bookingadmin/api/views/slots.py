"""Explicit slots: a coach manages their own, an admin everyone's (the services decide)."""
from __future__ import annotations

from datetime import timedelta

from flask import jsonify

from ...availability import services
from ...availability.schedule import slot_booked_counts
from ...core.clock import utcnow
from .. import queries, render
from ..errors import committed, field_names, invalid_input
from ..openapi import register_schema
from ..routing import api_route
from ..schemas import Boolean, ClockTime, Day, Integer, Schema

MAX_LIST_DAYS = 93
SLOT_FIELDS = {"day": "date"}

SLOT_QUERY = Schema("SlotQuery", {
    "coach": Integer(minimum=1, description="coach id; default: the signed-in coach's own"),
    "from": Day(description="first coach-local date (default: today, UTC)"),
    "to": Day(description=f"last date (default: from + 30 days); at most {MAX_LIST_DAYS} days after from"),
})
SLOT_INPUT = Schema("SlotInput", {
    "coach_id": Integer(minimum=1, description="default: the signed-in coach's own profile"),
    "date": Day(required=True, description="coach-local date"),
    "start_time": ClockTime(required=True, description="coach-local HH:MM"),
    "end_time": ClockTime(required=True, description="coach-local HH:MM"),
    "capacity": Integer(minimum=1, maximum=500, default=1, description="seats"),
    "consultation_type_id": Integer(minimum=1, nullable=True, description="only this type; null: any type"),
    "is_active": Boolean(default=True),
})
SLOT_PATCH = Schema("SlotPatch", {
    "start_time": ClockTime(), "end_time": ClockTime(), "is_active": Boolean(),
}, partial=True, description="Date and capacity never change; times only while nobody booked the slot")

register_schema("Slot", {"type": "object", "required": [
    "id", "coach_id", "date", "start_time", "end_time", "timezone", "starts_at", "ends_at", "capacity", "booked",
    "remaining", "consultation_type_id", "is_active"], "properties": {
    "id": {"type": "integer"}, "coach_id": {"type": "integer"}, "date": {"type": "string", "format": "date"},
    "start_time": {"type": "string"}, "end_time": {"type": "string"}, "timezone": {"type": "string"},
    "starts_at": {"type": "string", "format": "date-time"}, "ends_at": {"type": "string", "format": "date-time"},
    "capacity": {"type": "integer"}, "booked": {"type": "integer"}, "remaining": {"type": "integer"},
    "consultation_type_id": {"anyOf": [{"type": "integer"}, {"type": "null"}]}, "is_active": {"type": "boolean"}}})
register_schema("SlotList", {"type": "object", "required": ["items"],
                             "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Slot"}}}})


def _coach_id(given: int | None, user, field: str) -> int:
    if given is not None:
        return given
    own = queries.coach_profile_of(user)
    if own is None:
        raise invalid_input({field: "Say which coach: you have no coach profile of your own"})
    return own.id


def _render(slot) -> dict:
    return render.slot(slot, slot_booked_counts([slot.id])[slot.id], slot.coach.timezone)


@api_route("/slots", "GET", permission="availability.manage", tag="slots", summary="A coach's slots",
           query=SLOT_QUERY, response="SlotList", errors=(404,))
def list_slots(query, user):
    """Coaches see their own slots, admins any coach's, with the seats booked."""
    now = utcnow()
    start = query["from"] or now.date()
    end = query["to"] or start + timedelta(days=30)
    if end < start:
        raise invalid_input({"to": "The last date is before the first"})
    if (end - start).days > MAX_LIST_DAYS:
        raise invalid_input({"to": f"Ask for at most {MAX_LIST_DAYS} days at a time"})
    coach_id = _coach_id(query["coach"], user, "coach")
    with field_names({"coach_id": "coach"}):
        summaries = services.list_slots(coach_id, start, end, actor=user, now=now)
    return jsonify({"items": [render.slot(s.slot, s.booked, s.slot.coach.timezone) for s in summaries]})


@api_route("/slots", "POST", permission="availability.manage", tag="slots", summary="Open a slot",
           body=SLOT_INPUT, response="Slot", status=201, errors=(404, 422))
def create_slot(body, user):
    """For the signed-in coach's own profile unless `coach_id` says otherwise (admins)."""
    coach_id = _coach_id(body["coach_id"], user, "coach_id")
    with committed(SLOT_FIELDS):
        slot = services.create_slot(coach_id, day=body["date"], start_time=body["start_time"],
                                    end_time=body["end_time"], capacity=body["capacity"],
                                    consultation_type_id=body["consultation_type_id"], is_active=body["is_active"],
                                    actor=user, now=utcnow())
    return jsonify(_render(slot)), 201


@api_route("/slots/<int:slot_id>", "PATCH", permission="availability.manage", tag="slots",
           summary="Move a slot's times, or open/close it", body=SLOT_PATCH, response="Slot", errors=(404, 409, 422))
def update_slot(slot_id, body, user):
    """Closing keeps existing bookings and stops new ones; a booked slot's times are a 409."""
    with committed(SLOT_FIELDS):
        slot = services.update_slot(slot_id, actor=user, now=utcnow(), **body)
    return jsonify(_render(slot))


@api_route("/slots/<int:slot_id>", "DELETE", permission="availability.manage", tag="slots",
           summary="Delete a slot nobody booked", errors=(404, 409))
def delete_slot(slot_id, user):
    """A slot any booking refers to cannot be deleted (409): close it with PATCH instead."""
    with committed():
        services.delete_slot(slot_id, actor=user, now=utcnow())
    return "", 204
