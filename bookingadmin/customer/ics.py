"""A minimal .ics for one booking ("add to calendar" on the success page).

The notifications workstream owns the full calendar module (feeds, updates, cancellations);
this file only builds one VEVENT whose UID is the booking's, so a later update from that module
replaces this event in the customer's calendar instead of adding a second one.
"""
from __future__ import annotations

from icalendar import Calendar, Event

from ..core.clock import utcnow


def booking_uid(booking) -> str:
    return f"{booking.number}@bookingadmin"


def booking_calendar(booking, *, organizer: str | None = None, business: str | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//bookingadmin//customer//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", utcnow())
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    title = booking.type_title_en if not business else f"{booking.type_title_en} · {business}"
    event.add("summary", title)
    lines = [f"Booking {booking.number}", f"Coach: {booking.coach.display_name_en}"]
    if booking.meeting_type == "online" and booking.meeting_link and booking.status in ("confirmed", "rescheduled"):
        lines.append(f"Join: {booking.meeting_link}")
        event.add("location", booking.meeting_link)
    elif booking.meeting_location:
        event.add("location", booking.meeting_location)
    event.add("description", "\n".join(lines))
    event.add("status", "CONFIRMED" if booking.status in ("confirmed", "rescheduled") else "TENTATIVE")
    if organizer:
        event.add("organizer", f"mailto:{organizer}")
    cal.add_component(event)
    return cal.to_ical()
