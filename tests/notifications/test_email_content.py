"""What the emails say: language and direction, the recipient's zone, refunds, .ics, who is told."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import vobject
from sqlalchemy import select

from bookingadmin.bookings import lifecycle
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db
from bookingadmin.notifications.models import Notification
from tests.factories import local_time
from tests.notifications.helpers import attachments, body_html, body_text, by_kind, read_outbox


ARABIC_WEEKDAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")


def _ics(message) -> tuple[icalendar.Calendar, bytes]:
    [(content_type, data)] = [v for v in attachments(message).values() if v[0] == "text/calendar"]
    return icalendar.Calendar.from_ical(data), data


def _event(calendar):
    return next(c for c in calendar.walk("VEVENT"))


def test_customer_email_in_arabic_is_right_to_left_with_the_zone_named(app, make_user, make_booking):
    customer = make_user(language="ar", timezone="Africa/Cairo", name="ليلى")
    starts_at = local_time("Africa/Cairo", days=5, at="15:30")
    booking = make_booking("confirmed", customer=customer, starts_at=starts_at)
    [message] = by_kind(read_outbox(app), "confirmed")
    assert message["Content-Language"] == "ar"
    assert "تم تأكيد الحجز" in message["Subject"]
    html = body_html(message)
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    text = body_text(message)
    # the recipient's wall clock in the page's form (12-hour with م), the weekday named, the zone named
    assert "3:30 م (Africa/Cairo)" in text
    assert ARABIC_WEEKDAYS[starts_at.astimezone(ZoneInfo("Africa/Cairo")).weekday()] in text
    assert "ليلى" in text and booking.number in text
    assert f"المدة: {booking.duration_minutes} دقيقة" in text and "طريقة اللقاء: عبر الإنترنت" in text  # labels from the Babel catalog
    # the coach hears about it in English, on the coach's clock (Riyadh is an hour ahead of Cairo in winter)
    [staff] = by_kind(read_outbox(app), "staff_new_booking")
    assert staff["To"].addresses[0].addr_spec == booking.coach.user.email
    coach_wall = starts_at.astimezone(ZoneInfo("Asia/Riyadh"))
    assert f"{coach_wall.hour - 12}:30\u202fPM (Asia/Riyadh)" in body_text(staff)
    assert "(Awaiting payment)" in body_text(staff)  # the status word the pages use, at booking time
    assert 'dir="ltr"' in body_html(staff)


def test_english_customer_sees_their_own_zone(app, make_booking):
    starts_at = local_time("Europe/London", days=6, at="09:15")  # the default customer lives in London
    booking = make_booking("pending_payment", starts_at=starts_at)
    [message] = by_kind(read_outbox(app), "booking_created")
    assert "9:15\u202fAM (Europe/London)" in body_text(message)
    assert "awaiting payment" in message["Subject"]
    assert f"Amount: {booking.amount} USD" in body_text(message)


def test_confirmed_rescheduled_cancelled_carry_one_calendar_event(app, make_booking):
    booking = make_booking("confirmed")
    new_start = booking.starts_at + timedelta(days=1)
    lifecycle.reschedule(booking, starts_at=new_start, actor=None, now=utcnow(), reason="Clash")
    db.session.commit()
    lifecycle.cancel(booking, actor=None, now=utcnow(), reason="Travel", by="customer")
    db.session.commit()
    messages = read_outbox(app)
    calendars = {}
    for kind in ("confirmed", "rescheduled", "cancelled"):
        [message] = by_kind(messages, kind)
        calendars[kind] = _ics(message)
    uids = {str(_event(cal)["UID"]) for cal, _ in calendars.values()}
    assert uids == {f"{booking.number}@bookingadmin"}
    sequences = [int(_event(calendars[k][0])["SEQUENCE"]) for k in ("confirmed", "rescheduled", "cancelled")]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    methods = [str(calendars[k][0]["METHOD"]) for k in ("confirmed", "rescheduled", "cancelled")]
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]
    moved, raw = calendars["rescheduled"]
    assert _event(moved).decoded("DTSTART") == new_start
    assert str(_event(calendars["cancelled"][0])["STATUS"]) == "CANCELLED"
    # each file has its VTIMEZONE (the customer's zone) and a second, independent parser agrees
    assert [str(tz["TZID"]) for tz in moved.walk("VTIMEZONE")] == ["Europe/London"]
    parsed = vobject.readOne(raw.decode())
    assert parsed.method.value == "REQUEST"
    assert parsed.vevent.uid.value == f"{booking.number}@bookingadmin"
    assert parsed.vevent.dtstart.value == new_start
    assert int(parsed.vevent.sequence.value) == sequences[1]
    # the rescheduled email names both times; the cancelled one the refund
    [rescheduled] = by_kind(messages, "rescheduled")
    assert "(Europe/London)" in body_text(rescheduled) and "moved from" in body_text(rescheduled)


def test_cancelled_email_states_the_refund_amount(app, make_booking):
    booking = make_booking("confirmed", starts_at=local_time("Asia/Riyadh", days=10))
    cancellation = lifecycle.cancel(booking, actor=None, now=utcnow(), reason="Plans changed", by="customer")
    db.session.commit()
    assert cancellation.refund_amount > 0
    [message] = by_kind(read_outbox(app), "cancelled")
    assert f"Refund: {cancellation.refund_amount} USD" in body_text(message)
    assert "Plans changed" in body_text(message)
    [staff] = by_kind(read_outbox(app), "staff_cancelled")
    assert f"{cancellation.refund_amount} USD" in body_text(staff)


def test_completed_asks_for_feedback(app, make_booking):
    booking = make_booking("completed")
    [message] = by_kind(read_outbox(app), "completed")
    assert f"/my/bookings/{booking.number}#feedback" in body_text(message)
    assert "Leave feedback" in body_html(message)


def test_approval_flow_emails(app, factories, make_booking):
    cat = factories.default_catalog
    booking = make_booking("pending_confirmation", ctype=cat.approval)
    kinds = [m["X-Bookingadmin-Kind"] for m in read_outbox(app) if m["To"].addresses[0].addr_spec == booking.customer_email]
    assert sorted(kinds) == ["awaiting_approval", "booking_created", "payment_received"]
    [waiting] = by_kind(read_outbox(app), "awaiting_approval")
    assert waiting["Subject"] == f"Booking {booking.number} is awaiting confirmation"  # the pages' wording
    assert "is awaiting confirmation" in body_html(waiting)
    lifecycle.confirm(booking, actor=cat.coach_user, now=utcnow())
    db.session.commit()
    assert len(by_kind(read_outbox(app), "confirmed")) == 1


def test_admins_who_opt_in_are_told_others_are_not(app, make_user, make_booking):
    keen = make_user(role="admin", notify_new_bookings=True)
    quiet = make_user(role="admin")
    make_user(role="customer", notify_new_bookings=True)  # customers never get staff emails
    booking = make_booking("pending_payment")
    told = {m["To"].addresses[0].addr_spec for m in by_kind(read_outbox(app), "staff_new_booking")}
    assert told == {booking.coach.user.email, keen.email}
    assert quiet.email not in told


def test_free_bookings_have_no_payment_email_nor_receipt(app, factories, make_booking):
    cat = factories.default_catalog
    booking = make_booking("confirmed", ctype=cat.free)  # free: confirmed at once, no payment email
    kinds = {row.kind for row in db.session.scalars(select(Notification).where(Notification.booking_id == booking.id))}
    assert "payment_received" not in kinds and "receipt" not in kinds
    assert {"confirmed", "staff_new_booking", "reminder"} <= kinds
