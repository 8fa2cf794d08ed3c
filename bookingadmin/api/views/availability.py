"""When a coach (or any available coach) can be booked (public), and the coach's own rules: weekly hours and
date overrides."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app, jsonify

from ...availability import services
from ...availability.engine import WeeklyInterval
from ...bookings import operations
from ...core.clock import utcnow
from ...core.errors import PermissionDenied
from ...extensions import db
from .. import queries, render
from ..errors import field_names, invalid_input
from ..openapi import register_schema
from ..routing import PUBLIC, api_route
from ..schemas import ClockTime, Day, Integer, ListOf, Month, Nested, Schema, Text, TimeZone

# The services' field names, in this endpoint's words.
AVAILABILITY_FIELDS = {"consultation_type_id": "type", "duration_minutes": "duration", "start": "from",
                       "end": "to", "viewer_tz": "tz"}
_TZ_HELP = "IANA zone for the answer's dates and times; default: the signed-in user's, else the coach's"

AVAILABILITY_QUERY = Schema("AvailabilityQuery", {
    "type": Integer(required=True, minimum=1, description="consultation type id"),
    "duration": Integer(required=True, minimum=1, description="minutes; one of the type's durations"),
    "from": Day(required=True, description="first date, in `tz`"),
    "to": Day(description="last date, in `tz` (default: `from`); at most 93 days after `from`"),
    "tz": TimeZone(description=_TZ_HELP),
})
AVAILABLE_DATES_QUERY = Schema("AvailableDatesQuery", {
    "type": Integer(required=True, minimum=1, description="consultation type id"),
    "duration": Integer(required=True, minimum=1, description="minutes; one of the type's durations"),
    "month": Month(required=True, description="YYYY-MM, in `tz`"),
    "tz": TimeZone(description=_TZ_HELP),
})
HOURS = Schema("Hours", {"start": ClockTime(required=True),
                         "end": ClockTime(required=True, end=True, description="HH:MM after start; 24:00: midnight")})
WEEKLY_INTERVAL = Schema("WeeklyIntervalInput", {
    "weekday": Integer(required=True, minimum=0, maximum=6, description="0 = Monday ... 6 = Sunday"),
    "start": ClockTime(required=True, description="coach-local HH:MM"),
    "end": ClockTime(required=True, end=True, description="coach-local HH:MM, after start; 24:00: midnight"),
    "consultation_type_ids": ListOf(Integer(minimum=1), nullable=True, max_items=50,
                                    description="only these types in this interval; null: every type"),
})
DATE_OVERRIDE = Schema("DateOverrideInput", {
    "date": Day(required=True, description="coach-local date, today or later"),
    "hours": ListOf(Nested(HOURS), max_items=12, default=[],
                    description="that day's hours instead of the weekly ones; empty: the date is blocked"),
    "reason": Text(max_length=200, default=""),
})
RULES_INPUT = Schema("AvailabilityRulesInput", {
    "weekly_hours": ListOf(Nested(WEEKLY_INTERVAL), max_items=100,
                           description="when given, replaces all the weekly hours"),
    "overrides": ListOf(Nested(DATE_OVERRIDE), max_items=400,
                        description="when given, replaces every override from the coach's today on"),
}, description="Send either list or both; a list left out stays as it is.")

_TIME = {"type": "object", "required": ["starts_at", "ends_at", "price", "remaining", "slot_id"], "properties": {
    "starts_at": {"type": "string", "format": "date-time"}, "ends_at": {"type": "string", "format": "date-time"},
    "price": {"$ref": "#/components/schemas/Money"}, "remaining": {"type": "integer"},
    "slot_id": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}}
register_schema("Availability", {"type": "object", "required": ["coach_id", "consultation_type_id",
                                                                "duration_minutes", "timezone", "from", "to", "times"],
                                 "properties": {"coach_id": {"type": "integer"}, "consultation_type_id": {"type": "integer"},
                                                "duration_minutes": {"type": "integer"}, "timezone": {"type": "string"},
                                                "from": {"type": "string", "format": "date"},
                                                "to": {"type": "string", "format": "date"},
                                                "times": {"type": "array", "items": _TIME}}})
register_schema("AvailableDates", {"type": "object", "required": ["coach_id", "month", "timezone", "dates"],
                                   "properties": {"coach_id": {"type": "integer"}, "month": {"type": "string"},
                                                  "timezone": {"type": "string"},
                                                  "dates": {"type": "array", "items": {"type": "string",
                                                                                       "format": "date"}}}})
register_schema("AnyCoachAvailability", {
    "type": "object", "required": ["consultation_type_id", "duration_minutes", "timezone", "from", "to", "times"],
    "properties": {"consultation_type_id": {"type": "integer"}, "duration_minutes": {"type": "integer"},
                   "timezone": {"type": "string"}, "from": {"type": "string", "format": "date"},
                   "to": {"type": "string", "format": "date"},
                   "times": {"type": "array", "items": {**_TIME, "required": [*_TIME["required"], "coach_id"],
                                                        "properties": {**_TIME["properties"],
                                                                       "coach_id": {"type": "integer"}}}}}})
_CLOCK = {"type": "string", "pattern": r"^\d{2}:\d{2}$"}
register_schema("AvailabilityRules", {
    "type": "object", "required": ["coach_id", "timezone", "weekly_hours", "overrides"], "properties": {
        "coach_id": {"type": "integer"}, "timezone": {"type": "string"},
        "weekly_hours": {"type": "array", "items": {"type": "object", "required": ["weekday", "start", "end"],
                                                    "properties": {"weekday": {"type": "integer"},
                                                                   "weekday_name": {"type": "string"},
                                                                   "start": _CLOCK, "end": _CLOCK}}},
        "overrides": {"type": "array", "items": {"type": "object", "required": ["date", "blocked", "hours"],
                                                 "properties": {"date": {"type": "string", "format": "date"},
                                                                "blocked": {"type": "boolean"},
                                                                "hours": {"type": "array",
                                                                          "items": {"$ref": "#/components/schemas/Hours"}},
                                                                "reason": {"type": "string"}}}},
        "bookings_on_blocked_dates": {
            "type": "array", "description": "PUT only: bookings still holding time on the dates it blocked "
                                            "(they stay booked: cancel or move them)",
            "items": {"type": "object", "required": ["id", "number", "starts_at"],
                      "properties": {"id": {"type": "integer"}, "number": {"type": "string"},
                                     "starts_at": {"type": "string", "format": "date-time"}}}}}})


def _zone(query: dict, profile, user) -> str:
    return query["tz"] or (user.timezone if user is not None else profile.timezone)


@api_route("/coaches/<int:coach_id>/availability", "GET", permission=PUBLIC, tag="availability",
           summary="Bookable start times of a coach for a type and duration", query=AVAILABILITY_QUERY,
           response="Availability", errors=(404, 422))
def coach_availability(coach_id, query, user):
    """Times are ISO 8601 in `tz` with its offset; each carries the price and the seats left.
    A type the coach does not offer or a duration not sold is a 422 naming `type` or `duration`."""
    profile = queries.active_coach(coach_id)
    zone, end = _zone(query, profile, user), query["to"] or query["from"]
    with field_names(AVAILABILITY_FIELDS):
        times = services.bookable_times(coach_id=coach_id, consultation_type_id=query["type"],
                                        duration_minutes=query["duration"], start=query["from"], end=end,
                                        viewer_tz=zone, now=utcnow())
    return jsonify({"coach_id": coach_id, "consultation_type_id": query["type"], "duration_minutes": query["duration"],
                    "timezone": zone, "from": query["from"].isoformat(), "to": end.isoformat(),
                    "times": [render.bookable_time(t, zone) for t in times]})


@api_route("/coaches/any/availability", "GET", permission=PUBLIC, tag="availability",
           summary="Bookable start times with any available coach", query=AVAILABILITY_QUERY,
           response="AnyCoachAvailability", errors=(422,))
def any_coach_availability(query, user):
    """Every time at least one active coach offering the type is free, each with the coach who would
    take it (the best rated free coach, as the booking page's "any coach" picks). Book it by sending
    that `coach_id` to POST /bookings. `tz` defaults to the signed-in user's, else the business's."""
    zone = query["tz"] or (user.timezone if user is not None else current_app.config["DEFAULT_TIMEZONE"])
    end = query["to"] or query["from"]
    with field_names(AVAILABILITY_FIELDS):
        ctype = operations.offered_type(query["type"], query["duration"])
        times = operations.any_coach_times(ctype, duration_minutes=query["duration"], start=query["from"], end=end,
                                           viewer_tz=zone, now=utcnow())
    return jsonify({"consultation_type_id": ctype.id, "duration_minutes": query["duration"], "timezone": zone,
                    "from": query["from"].isoformat(), "to": end.isoformat(),
                    "times": [{**render.bookable_time(t.time, zone), "coach_id": t.coach_id} for t in times]})


@api_route("/coaches/<int:coach_id>/available-dates", "GET", permission=PUBLIC, tag="availability",
           summary="Dates of a month with at least one bookable time", query=AVAILABLE_DATES_QUERY,
           response="AvailableDates", errors=(404, 422))
def coach_available_dates(coach_id, query, user):
    """The calendar's open days, as dates in `tz`."""
    profile = queries.active_coach(coach_id)
    zone, (year, month) = _zone(query, profile, user), query["month"]
    with field_names({**AVAILABILITY_FIELDS, "year": "month"}):
        dates = services.available_dates(coach_id=coach_id, consultation_type_id=query["type"],
                                         duration_minutes=query["duration"], year=year, month=month,
                                         viewer_tz=zone, now=utcnow())
    return jsonify({"coach_id": coach_id, "month": f"{year:04d}-{month:02d}", "timezone": zone,
                    "dates": [d.isoformat() for d in dates]})


def _rules_response(profile, **extra):
    today = utcnow().astimezone(ZoneInfo(profile.timezone)).date()
    return jsonify({**render.availability_rules(profile, *queries.availability_rules(profile.id, today)), **extra})


@api_route("/coaches/<int:coach_id>/availability-rules", "GET", permission="availability.manage",
           tag="availability", summary="A coach's weekly hours and date overrides (today on)",
           response="AvailabilityRules", errors=(404,))
def get_availability_rules(coach_id, user):
    """Coaches see their own, admins everyone's. Times are coach-local wall times in `timezone`."""
    profile = queries.any_coach(coach_id)
    if not services.can_manage_availability(user, profile):
        raise PermissionDenied("You can see only your own availability")
    return _rules_response(profile)


@api_route("/coaches/<int:coach_id>/availability-rules", "PUT", permission="availability.manage",
           tag="availability", summary="Replace a coach's weekly hours and/or date overrides",
           body=RULES_INPUT, response="AvailabilityRules", errors=(404, 422))
def put_availability_rules(coach_id, body, user):
    """Coaches change their own, admins everyone's. All or nothing: one bad interval changes nothing.
    `overrides`, when sent, replaces every override from the coach's today on (past ones stay).
    Hours may end at 24:00. The answer lists the bookings left on the dates it blocked."""
    profile = queries.any_coach(coach_id)
    _check_rules_body(body)
    now = utcnow()
    if body["weekly_hours"] is not None:
        with field_names({"intervals": "weekly_hours"}):
            services.replace_weekly_hours(coach_id, _weekly(body["weekly_hours"]), actor=user, now=now)
    left = []
    if body["overrides"] is not None:
        _replace_overrides(profile, body["overrides"], user, now)
        blocked = [o["date"] for o in body["overrides"] if not o["hours"]]
        left = queries.bookings_by_ids(services.bookings_left_on(profile.id, blocked, now=now))
    db.session.commit()
    return _rules_response(profile, bookings_on_blocked_dates=[
        {"id": b.id, "number": b.number, "starts_at": render.instant(b.starts_at, profile.timezone)} for b in left])


def _weekly(items: list[dict]) -> list[WeeklyInterval]:
    return [WeeklyInterval(i["weekday"], i["start"], i["end"],
                           frozenset(i["consultation_type_ids"]) if i["consultation_type_ids"] is not None else None)
            for i in items]


def _check_rules_body(body: dict) -> None:
    if body["weekly_hours"] is None and body["overrides"] is None:
        raise invalid_input({"body": "Send weekly_hours, overrides or both"})
    seen: set = set()
    for index, override in enumerate(body["overrides"] or []):
        if override["date"] in seen:
            raise invalid_input({f"overrides[{index}].date": "This date appears twice"})
        seen.add(override["date"])


def _replace_overrides(profile, overrides: list[dict], user, now) -> None:
    today = now.astimezone(ZoneInfo(profile.timezone)).date()
    _, existing = queries.availability_rules(profile.id, today)
    if existing:
        services.clear_date_override(profile.id, today, until=max(o.day for o in existing), actor=user, now=now)
    for index, override in enumerate(overrides):
        with field_names({"day": "date"}, prefix=f"overrides[{index}]."):
            services.set_date_override(profile.id, override["date"],
                                       [(h["start"], h["end"]) for h in override["hours"]],
                                       reason=override["reason"], actor=user, now=now)
