"""Bookings: make one, list and read them, and move them through their lifecycle.

Who sees what is the bookings domain's rule (`get_booking_for`, `bookings_visible_to`): a customer
their own, a coach theirs, other staff all; anything else is a 404 that does not reveal it exists.
Which moves are legal is lifecycle's (an illegal one is a 409 with the reason).
"""
from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import jsonify, request, url_for

from ...auth.models import User
from ...bookings import lifecycle, operations, services
from ...bookings.access import manages
from ...bookings.models import Booking, MEETING_TYPES, STATUSES
from ...core.clock import utcnow
from ...core.errors import Conflict, NotFound
from ...extensions import db
from .. import queries, render
from ..errors import committed, field_names, invalid_input
from ..openapi import register_schema
from ..routing import ANY_OF, api_route
from ..schemas import (Boolean, Choices, ClockTime, Cursor, Day, DayOrInstant, Instant, Integer, JsonObject, Nested,
                       PersonName, Schema, Text, TimeZone)

VIEWERS = ANY_OF("bookings.book", "bookings.view")      # customers (their own) and staff
ACTORS = ANY_OF("bookings.book", "bookings.manage")     # customers (their own) and staff
MAX_PAGE = 100

CONTACT = Schema("ContactInput", {"name": PersonName(max_length=120), "email": Text(max_length=254),
                                  "phone": Text(max_length=32, description="with country code, e.g. +966501234567")})
ALTERNATIVE = Schema("AlternativeTime", {"date": Day(required=True), "time": ClockTime(required=True)},
                     description="A second choice the coach may offer, in the booking's zone")
BOOKING_INPUT = Schema("BookingInput", {
    "consultation_type_id": Integer(required=True, minimum=1),
    "coach_id": Integer(required=True, minimum=1),
    "duration_minutes": Integer(required=True, minimum=1, description="one of the type's durations"),
    "starts_at": Instant(required=True, description="one of the times GET .../availability offers"),
    "meeting_type": Text(required=True, choices=MEETING_TYPES),
    "timezone": TimeZone(description="the customer's zone for emails and pages; default: the account's"),
    "slot_id": Integer(minimum=1, nullable=True, description="when the time comes from a slot"),
    "contact": Nested(CONTACT, description="defaults to the account's name, email and phone"),
    "intake": JsonObject(description="questionnaire answers; stored encrypted"),
    "alternative": Nested(ALTERNATIVE),
    "customer_id": Integer(minimum=1, description="staff booking for a customer; default: yourself"),
}, description="The price is decided by the server from the type and duration; never sent.")
LIST_QUERY = Schema("BookingListQuery", {
    "status": Choices(STATUSES, description="only these statuses"),
    "upcoming": Boolean(description="true: starting now or later; false: started already"),
    "coach": Integer(minimum=1, description="coach id"),
    "customer": Integer(minimum=1, description="customer (user) id"),
    "from": DayOrInstant(description="starting at or after (a date is read in `tz`)"),
    "to": DayOrInstant(description="starting before the end of this date (in `tz`) or before this instant"),
    "tz": TimeZone(description="zone for `from`/`to` dates; default: the account's"),
    "order": Text(choices=("asc", "desc"), description="by start time; default asc with upcoming=true, else desc"),
    "limit": Integer(minimum=1, maximum=MAX_PAGE, default=20, description=f"page size, at most {MAX_PAGE}"),
    "cursor": Cursor(),
})
RESCHEDULE_INPUT = Schema("RescheduleInput", {
    "starts_at": Instant(required=True), "slot_id": Integer(minimum=1, nullable=True),
    "reason": Text(max_length=1000, default="")})
CANCEL_INPUT = Schema("CancelInput", {
    "reason": Text(required=True, min_length=1, max_length=1000),
    "by": Text(choices=("customer", "staff"), default="customer",
               description="on whose account: customer (the refund policy applies; default) or staff "
                           "(the business cancels: full refund; staff only)")})
RESCHEDULE_OPTIONS_QUERY = Schema("RescheduleOptionsQuery", {
    "from": Day(required=True, description="first date, in `tz`"),
    "to": Day(description="last date, in `tz` (default: `from`); at most 93 days after `from`"),
    "tz": TimeZone(description="zone for the dates and the answer's times; default: the booking's"),
})
REASON_INPUT = Schema("ReasonInput", {"reason": Text(max_length=1000, default="")})
REJECT_INPUT = Schema("RejectInput", {"reason": Text(required=True, min_length=1, max_length=1000)})
FEEDBACK_INPUT = Schema("FeedbackInput", {"rating": Integer(required=True, minimum=1, maximum=5),
                                          "comment": Text(max_length=2000, default="")})
EMPTY_INPUT = Schema("NoInput", {}, description="No fields; an empty object or no body")

_S, _I, _B = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
_OPT_S, _OPT_I = {"anyOf": [_S, {"type": "null"}]}, {"anyOf": [_I, {"type": "null"}]}
_AT = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}
_REF = {"$ref": "#/components/schemas/Booking"}
register_schema("Booking", {"type": "object", "required": [
    "number", "status", "allowed_actions", "consultation_type", "coach", "customer", "starts_at", "ends_at",
    "timezone", "local_starts_at", "duration_minutes", "meeting", "price", "payment", "cancellation", "feedback"],
    "properties": {
        "number": _S, "status": {"type": "string", "enum": list(STATUSES)},
        "allowed_actions": {"type": "array", "items": {"type": "string", "enum": list(lifecycle.BUTTON_ACTIONS)}},
        "consultation_type": {"type": "object", "required": ["id", "title", "category"],
                              "properties": {"id": _I, "title": {"$ref": "#/components/schemas/Bilingual"},
                                             "category": _S}},
        "coach": {"type": "object", "required": ["id", "display_name"],
                  "properties": {"id": _I, "display_name": {"$ref": "#/components/schemas/Bilingual"}}},
        "customer": {"type": "object", "required": ["id", "name", "email"],
                     "properties": {"id": _I, "name": _S, "email": _S, "phone": _OPT_S}},
        "starts_at": {"type": "string", "format": "date-time"}, "ends_at": {"type": "string", "format": "date-time"},
        "timezone": _S, "local_starts_at": {"type": "string", "format": "date-time"},
        "duration_minutes": _I, "slot_id": _OPT_I,
        "meeting": {"type": "object", "required": ["type"], "properties": {
            "type": _S, "link": _OPT_S, "password": _OPT_S, "location": _OPT_S}},
        "price": {"$ref": "#/components/schemas/Money"},
        "payment": {"type": "object", "required": ["status"], "properties": {"status": _S, "method": _OPT_S}},
        "hold_expires_at": _AT, "created_at": _AT, "confirmed_at": _AT, "completed_at": _AT, "no_show_at": _AT,
        "cancellation": {"anyOf": [{"type": "null"}, {"type": "object", "required": ["at", "by", "reason"],
                                                      "properties": {"at": _AT, "by": _S, "reason": _OPT_S}}]},
        "rescheduled_from": _AT, "reschedule_count": _I,
        "feedback": {"anyOf": [{"type": "null"}, {"type": "object", "required": ["rating"],
                                                  "properties": {"rating": {"type": "integer", "minimum": 1, "maximum": 5},
                                                                 "comment": _OPT_S, "at": _AT}}]},
        "source": _S,
        "intake": {"type": "object", "description": "only for the customer and staff with intake.view"},
        "staff_notes": {"type": "object", "description": "only for staff who manage the booking"}}})
register_schema("BookingPage", {"type": "object", "required": ["items", "next", "next_cursor", "limit"],
                                "properties": {"items": {"type": "array", "items": _REF}, "next": _OPT_S,
                                               "next_cursor": _OPT_S, "limit": _I}})
_DATE, _INSTANT = {"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}
_MOVE_TIME = {"type": "object", "required": ["starts_at", "ends_at", "price", "remaining", "slot_id"], "properties": {
    "starts_at": _INSTANT, "ends_at": _INSTANT, "price": {"$ref": "#/components/schemas/Money"}, "remaining": _I,
    "slot_id": _OPT_I}}
register_schema("RescheduleOptions", {
    "type": "object", "required": ["number", "timezone", "from", "to", "times"], "properties": {
        "number": _S, "timezone": _S, "from": _DATE, "to": _DATE, "times": {"type": "array", "items": _MOVE_TIME}}})
register_schema("Cancellation", {"type": "object", "required": ["booking", "refund"], "properties": {
    "booking": _REF, "refund": {"type": "object", "required": ["amount", "currency", "percent", "refunded"],
                                "properties": {"amount": _S, "currency": _S, "percent": _I,
                                               "refunded": {**_S, "description": "what was given back now: the "
                                                            "amount, capped by what was paid and not yet refunded"}}}}})

# lifecycle's field names, in this API's words
CREATE_FIELDS = {"name": "contact.name", "email": "contact.email", "phone": "contact.phone",
                 "customer": "customer_id"}


def _render(booking: Booking, user, now: datetime | None = None) -> dict:
    now = now or utcnow()
    return render.booking(booking, actions=lifecycle.allowed_actions(booking, user, now),
                          show_intake=services.can_read_intake(user, booking),
                          show_staff_notes=manages(user, booking))


def _customer_for(body: dict, user) -> User:
    if body["customer_id"] is None or body["customer_id"] == user.id:
        return user
    customer = db.session.get(User, body["customer_id"])
    if customer is None:
        raise NotFound.on_field("customer_id", "There is no such customer")
    return customer


@api_route("/bookings", "POST", permission=ACTORS, tag="bookings", summary="Book a consultation",
           body=BOOKING_INPUT, response="Booking", status=201, errors=(404, 409, 422))
def create_booking(body, user):
    """Paid types start `pending_payment`, holding the time until `hold_expires_at`; free ones are
    confirmed (or wait for approval). A time someone else just took is a 409 `slot_taken`; a type,
    duration or time that cannot be booked is a 422 naming the field. Staff may book for a customer
    with `customer_id`."""
    customer = _customer_for(body, user)
    contact = {k: v for k, v in (body["contact"] or {}).items() if v is not None} or None  # absent: the account's
    alternative = (body["alternative"]["date"], body["alternative"]["time"]) if body["alternative"] else None
    now = utcnow()
    with committed(CREATE_FIELDS):
        booking = lifecycle.create_booking(
            customer=customer, consultation_type_id=body["consultation_type_id"], coach_id=body["coach_id"],
            duration_minutes=body["duration_minutes"], starts_at=body["starts_at"],
            meeting_type=body["meeting_type"], timezone=body["timezone"] or customer.timezone, actor=user,
            now=now, contact=contact, intake=body["intake"], alternative=alternative,
            slot_id=body["slot_id"], source="api", ip_address=request.remote_addr,
            user_agent=request.user_agent.string)
    response = jsonify(_render(booking, user, now))
    response.headers["Location"] = url_for("api.get_booking", number=booking.number)
    return response, 201


@api_route("/bookings", "GET", permission=VIEWERS, tag="bookings", summary="List bookings, a page at a time",
           query=LIST_QUERY, response="BookingPage")
def list_bookings(query, user):
    """Customers see their own, coaches theirs, other staff all. Follow `next` for the next page."""
    now = utcnow()
    order = query["order"] or ("asc" if query["upcoming"] else "desc")
    after = _decode_cursor(query["cursor"]) if query["cursor"] else None
    filters = _filters(query, user, now)
    rows, last = queries.booking_page(services.bookings_visible_to(user), order=order, limit=query["limit"],
                                      after=after, filters=filters)
    cursor = _encode_cursor(last) if last else None
    next_url = None
    if cursor:
        args = {k: v for k, v in request.args.items() if k != "cursor"}
        next_url = url_for("api.list_bookings", **args, cursor=cursor, _external=False)
    return jsonify({"items": [_render(b, user, now) for b in rows], "next": next_url, "next_cursor": cursor,
                    "limit": query["limit"]})


def _filters(query: dict, user, now: datetime) -> list:
    filters = []
    if query["status"]:
        filters.append(Booking.status.in_(query["status"]))
    if query["upcoming"] is not None:
        filters.append(Booking.starts_at >= now if query["upcoming"] else Booking.starts_at < now)
    if query["coach"] is not None:
        filters.append(Booking.coach_id == query["coach"])
    if query["customer"] is not None:
        filters.append(Booking.customer_id == query["customer"])
    zone = ZoneInfo(query["tz"] or user.timezone)
    low = _instant(query["from"], zone) if query["from"] is not None else None
    high = None
    if query["to"] is not None:
        end = query["to"]
        high = end if isinstance(end, datetime) else _instant(end + timedelta(days=1), zone)
    if low is not None and high is not None and high <= low:
        raise invalid_input({"to": "The end is before the start"})
    if low is not None:
        filters.append(Booking.starts_at >= low)
    if high is not None:
        filters.append(Booking.starts_at < high)
    return filters


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time(0), tzinfo=zone)


def _encode_cursor(key: tuple[datetime, int]) -> str:
    raw = json.dumps([key[0].isoformat(), key[1]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        starts_at, booking_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = datetime.fromisoformat(starts_at)
        if value.tzinfo is None or not isinstance(booking_id, int):
            raise ValueError
        return value, booking_id
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise invalid_input({"cursor": "This cursor is not one this API gave out"}) from None


@api_route("/bookings/<number>", "GET", permission=VIEWERS, tag="bookings", summary="One booking",
           response="Booking", errors=(404,))
def get_booking(number, user):
    """Someone else's booking is a 404, exactly like one that does not exist."""
    return jsonify(_render(services.get_booking_for(user, number), user))


def _act(number: str, user, move, **kwargs) -> Booking:
    """Find the booking as the caller may see it, apply one lifecycle move, commit."""
    booking = services.get_booking_for(user, number)
    with committed():
        move(booking, actor=user, now=utcnow(), **kwargs)
    return booking


@api_route("/bookings/<number>/reschedule", "POST", permission=ACTORS, tag="bookings",
           summary="Move a booking to another bookable time", body=RESCHEDULE_INPUT, response="Booking",
           errors=(404, 409, 422))
def reschedule_booking(number, body, user):
    """Customers until the type's reschedule window closes (then 409), staff at any time."""
    booking = _act(number, user, lifecycle.reschedule, starts_at=body["starts_at"], slot_id=body["slot_id"],
                   reason=body["reason"] or None)
    return jsonify(_render(booking, user))


@api_route("/bookings/<number>/reschedule-options", "GET", permission=ACTORS, tag="bookings",
           summary="The times a booking may move to", query=RESCHEDULE_OPTIONS_QUERY, response="RescheduleOptions",
           errors=(404, 409, 422))
def reschedule_options(number, query, user):
    """Same coach, type and duration; its own current time counts as free. Send one of them to
    POST .../reschedule. A booking the caller may not move now is a 409."""
    booking, now = services.get_booking_for(user, number), utcnow()
    if not lifecycle.can("reschedule", booking, user, now):
        raise Conflict("This booking cannot be moved now", code="invalid_transition")
    zone, end = query["tz"] or booking.timezone, query["to"] or query["from"]
    with field_names({"start": "from", "end": "to"}):
        times = operations.reschedule_times(booking, start=query["from"], end=end, viewer_tz=zone, now=now)
    return jsonify({"number": booking.number, "timezone": zone, "from": query["from"].isoformat(),
                    "to": end.isoformat(), "times": [render.bookable_time(t, zone) for t in times]})


@api_route("/bookings/<number>/cancel", "POST", permission=ACTORS, tag="bookings",
           summary="Cancel a booking; answers the refund the policy gives", body=CANCEL_INPUT,
           response="Cancellation", errors=(404, 409, 422))
def cancel_booking(number, body, user):
    """The refund follows the type's cancellation policy for `by=customer` (the default, also when
    staff cancel on the customer's behalf); `by=staff` means the business cancels: a full refund."""
    booking = services.get_booking_for(user, number)
    with committed():
        result = operations.cancel_booking(booking, actor=user, now=utcnow(), reason=body["reason"], by=body["by"])
    return jsonify({"booking": _render(booking, user),
                    "refund": {**render.money(result.refund_amount, booking.currency),
                               "percent": result.refund_percent,
                               "refunded": render.money(result.refunded, booking.currency)["amount"]}})


@api_route("/bookings/<number>/feedback", "POST", permission=ACTORS, tag="bookings",
           summary="Rate a completed session (once)", body=FEEDBACK_INPUT, response="Booking",
           errors=(404, 409, 422))
def booking_feedback(number, body, user):
    """The booking's customer, after it was completed."""
    booking = _act(number, user, lifecycle.leave_feedback, rating=body["rating"], comment=body["comment"])
    return jsonify(_render(booking, user))


@api_route("/bookings/<number>/confirm", "POST", permission="bookings.manage", tag="bookings",
           summary="Accept a booking waiting for approval", body=REASON_INPUT, response="Booking",
           errors=(404, 409, 422))
def confirm_booking(number, body, user):
    """Staff (coaches: their own)."""
    return jsonify(_render(_act(number, user, lifecycle.confirm, reason=body["reason"] or None), user))


@api_route("/bookings/<number>/reject", "POST", permission="bookings.manage", tag="bookings",
           summary="Turn down a booking waiting for approval (full refund)", body=REJECT_INPUT,
           response="Booking", errors=(404, 409, 422))
def reject_booking(number, body, user):
    """Staff (coaches: their own). The booking is cancelled by staff."""
    return jsonify(_render(_act(number, user, operations.reject_booking, reason=body["reason"]), user))


@api_route("/bookings/<number>/complete", "POST", permission="bookings.manage", tag="bookings",
           summary="Mark a session as held", body=EMPTY_INPUT, response="Booking", errors=(404, 409))
def complete_booking(number, body, user):
    """Staff (coaches: their own), once the session has started."""
    return jsonify(_render(_act(number, user, lifecycle.complete), user))


@api_route("/bookings/<number>/no-show", "POST", permission="bookings.manage", tag="bookings",
           summary="Mark that the customer did not come", body=EMPTY_INPUT, response="Booking",
           errors=(404, 409))
def no_show_booking(number, body, user):
    """Staff (coaches: their own), once the session has started."""
    return jsonify(_render(_act(number, user, lifecycle.mark_no_show), user))
