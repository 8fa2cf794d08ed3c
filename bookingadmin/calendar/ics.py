"""iCalendar for bookings: one invitation (METHOD REQUEST / CANCEL) and a coach's subscription feed.

Every booking is one calendar event with a stable UID (`<number>@bookingadmin`), so a calendar app
updates the event it already has. SEQUENCE counts the booking's audit events up to the change that
produced the file, so it only ever grows. Times carry a TZID with its VTIMEZONE.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import func, select

from ..extensions import db

PRODID = "-//bookingadmin//bookings//EN"
UID_DOMAIN = "bookingadmin"


def booking_uid(booking) -> str:
    return f"{booking.number}@{UID_DOMAIN}"


def sequence_for(booking_id: int, *, up_to_event_id: int | None = None) -> int:
    """How many audit events the booking had (up to one of them): a SEQUENCE that only grows."""
    from ..bookings.models import BookingEvent

    query = select(func.count()).select_from(BookingEvent).where(BookingEvent.booking_id == booking_id)
    if up_to_event_id is not None:
        query = query.where(BookingEvent.id <= up_to_event_id)
    return db.session.scalar(query) or 0


def booking_event(booking, *, sequence: int, tz: str, now: datetime, cancelled: bool = False,
                  starts_at: datetime | None = None, ends_at: datetime | None = None,
                  language: str = "en", for_coach: bool = False) -> Event:
    zone = ZoneInfo(tz)
    starts_at = starts_at or booking.starts_at
    ends_at = ends_at or (starts_at + timedelta(minutes=booking.duration_minutes))
    title = booking.type_title_ar if language == "ar" and booking.type_title_ar else booking.type_title_en
    who = booking.customer_name if for_coach else booking.coach.display_name(language)
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", now)
    event.add("dtstart", starts_at.astimezone(zone))
    event.add("dtend", ends_at.astimezone(zone))
    event.add("sequence", sequence)
    event.add("summary", f"{title} · {who}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("description", _description(booking))
    location = booking.meeting_link if booking.meeting_type == "online" else booking.meeting_location
    if location:
        event.add("location", location)
    if booking.meeting_link:
        event.add("url", booking.meeting_link)
    organizer = vCalAddress(f"mailto:{current_app.config['BUSINESS_EMAIL']}")
    organizer.params["cn"] = vText(current_app.config["BUSINESS_NAME"])
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{booking.customer_email}")
    attendee.params.update({"cn": vText(booking.customer_name), "role": "REQ-PARTICIPANT",
                            "partstat": "ACCEPTED" if not cancelled else "DECLINED"})
    event.add("attendee", attendee)
    return event


def _description(booking) -> str:
    lines = [f"Booking {booking.number}", f"{booking.duration_minutes} min"]
    if booking.meeting_link:
        lines.append(booking.meeting_link)
    if booking.meeting_password:
        lines.append(f"Password: {booking.meeting_password}")
    return "\n".join(lines)


def _calendar(method: str | None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def invitation(booking, *, method: str, sequence: int, tz: str, now: datetime, language: str = "en",
               starts_at: datetime | None = None, ends_at: datetime | None = None) -> bytes:
    """An email attachment: METHOD REQUEST (new or moved) or CANCEL, one event, its VTIMEZONE."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError("method must be REQUEST or CANCEL")
    calendar = _calendar(method)
    calendar.add_component(booking_event(booking, sequence=sequence, tz=tz, now=now, language=language,
                                         cancelled=method == "CANCEL", starts_at=starts_at, ends_at=ends_at))
    _add_timezones(calendar, [starts_at or booking.starts_at])
    return calendar.to_ical()


def download(booking, *, tz: str, now: datetime, language: str = "en") -> bytes:
    """The customer's "add to calendar" file: METHOD PUBLISH with the same UID and SEQUENCE as the
    emailed invitations, so a later update replaces this event instead of adding a second one."""
    calendar = _calendar("PUBLISH")
    calendar.add_component(booking_event(booking, sequence=sequence_for(booking.id), tz=tz, now=now,
                                         language=language))
    _add_timezones(calendar, [booking.starts_at])
    return calendar.to_ical()


def _add_timezones(calendar: Calendar, instants: list[datetime]) -> None:
    """VTIMEZONEs covering the events' years (and one either side), not 1970-2038: a few hundred
    bytes that every client reads the same (a full-range one is misread by some parsers)."""
    years = [moment.year for moment in instants] or [datetime.now().year]
    calendar.add_missing_timezones(first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 1, 12, 31))


def feed(coach, bookings, *, now: datetime) -> bytes:
    """A subscription calendar (no METHOD) of a coach's bookings, in the coach's zone."""
    calendar = _calendar(None, name=f"{coach.display_name_en} · bookings")
    calendar.add("x-wr-timezone", coach.timezone)
    sequences = _sequences([b.id for b in bookings])
    for booking in bookings:
        calendar.add_component(booking_event(booking, sequence=sequences.get(booking.id, 0), tz=coach.timezone,
                                             now=now, for_coach=True))
    _add_timezones(calendar, [b.starts_at for b in bookings] or [now])
    return calendar.to_ical()


def _sequences(booking_ids: list[int]) -> dict[int, int]:
    from ..bookings.models import BookingEvent

    if not booking_ids:
        return {}
    rows = db.session.execute(select(BookingEvent.booking_id, func.count()).where(
        BookingEvent.booking_id.in_(booking_ids)).group_by(BookingEvent.booking_id))
    return dict(rows.all())
