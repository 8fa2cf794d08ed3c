"""The coach's secret calendar feed: confirmed bookings only, regenerable, read by two parsers."""
from __future__ import annotations

from datetime import timedelta

import icalendar
import vobject

from bookingadmin.calendar.services import feed_url, regenerate_feed_token
from bookingadmin.extensions import db


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_the_feed_lists_the_coachs_confirmed_bookings(app, client, make_booking):
    confirmed = make_booking("confirmed")
    moved = make_booking("rescheduled")
    make_booking("pending_payment")  # not confirmed: not in the feed
    cancelled = make_booking("cancelled")
    coach = confirmed.coach
    url = feed_url(regenerate_feed_token(coach))
    db.session.commit()
    response = client.get(_path(url))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"{confirmed.number}@bookingadmin", f"{moved.number}@bookingadmin"}
    assert f"{cancelled.number}@bookingadmin" not in events
    assert "METHOD" not in calendar  # a subscription, not an invitation
    assert events[f"{moved.number}@bookingadmin"].decoded("DTSTART") == moved.starts_at
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [coach.timezone]
    assert confirmed.customer_name in str(events[f"{confirmed.number}@bookingadmin"]["SUMMARY"])
    parsed = vobject.readOne(response.data.decode())
    starts = sorted(e.dtstart.value for e in parsed.vevent_list)
    assert starts == sorted([confirmed.starts_at, moved.starts_at])
    assert all(e.dtstart.value.utcoffset() == timedelta(hours=3) for e in parsed.vevent_list)  # Asia/Riyadh


def test_a_new_token_retires_the_old_url(app, client, make_booking):
    coach = make_booking("confirmed").coach
    old = feed_url(regenerate_feed_token(coach))
    db.session.commit()
    assert client.get(_path(old)).status_code == 200
    new = feed_url(regenerate_feed_token(coach))
    db.session.commit()
    assert client.get(_path(old)).status_code == 404
    assert client.get(_path(new)).status_code == 200
    assert client.get("/calendar/coach/not-a-real-token-at-all-xxxx.ics").status_code == 404


def test_back_office_regenerates_a_coachs_own_feed_only(app, client, auth, make_booking, make_coach):
    coach = make_booking("confirmed").coach
    other = make_coach()
    auth.login(coach.user.email)
    page = client.get("/admin/calendar-feeds/")
    assert page.status_code == 200 and coach.display_name_en in page.get_data(as_text=True)
    assert other.display_name_en not in page.get_data(as_text=True)
    token = auth.csrf_token("/admin/calendar-feeds/")
    assert client.post(f"/admin/calendar-feeds/{coach.id}/regenerate", data={"csrf_token": token}).status_code == 200
    db.session.expire_all()
    assert coach.calendar_token_hash
    assert client.post(f"/admin/calendar-feeds/{other.id}/regenerate", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert other.calendar_token_hash is None
