"""The availability editor calls the availability services; refusals come back on the form."""
from __future__ import annotations

import re
from datetime import date, time, timedelta

from bookingadmin.availability.models import DateOverride, Slot, WeeklyHours
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db


def page_of(coach) -> str:
    return f"/admin/availability/?coach={coach.id}"


def _future(days: int) -> date:
    return utcnow().date() + timedelta(days=days)


def test_weekly_hours_are_replaced_and_bad_ranges_refused(office, login, client, post):
    coach = office.coach
    login(office.cat.coach_user)
    path = f"/admin/availability/weekly?coach={coach.id}"
    bad = post(path, {"day0": "09:00-13:00, 12:00-18:00", "day1": "9 to 5"}, token_from=page_of(coach))
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "is not a time range" in text
    assert db.session.scalar(db.select(db.func.count(WeeklyHours.id)).where(WeeklyHours.coach_id == coach.id)) == 7
    overlap = post(path, {"day0": "09:00-13:00, 12:00-18:00"}, token_from=page_of(coach)).get_data(as_text=True)
    assert "overlap" in overlap.lower()
    backwards = post(path, {"day3": "13:00-09:00"}, token_from=page_of(coach)).get_data(as_text=True)
    assert re.search(r'id="day3"[^>]*>\s*<div class="invalid-feedback d-block">The end 09:00 must be after', backwards)
    post(path, {"day0": "09:00-13:00, 14:00-18:00", "day2": "10:00-22:00"}, token_from=page_of(coach))
    db.session.expire_all()
    rows = db.session.execute(db.select(WeeklyHours.weekday, WeeklyHours.start_time, WeeklyHours.end_time)
                              .where(WeeklyHours.coach_id == coach.id)
                              .order_by(WeeklyHours.weekday, WeeklyHours.start_time)).all()
    assert [tuple(r) for r in rows] == [(0, time(9), time(13)), (0, time(14), time(18)), (2, time(10), time(22))]


def test_date_override_block_and_clear(office, make_booking, login, client, post):
    coach = office.coach
    login(office.admin)
    day = _future(10)
    post(f"/admin/availability/override?coach={coach.id}", {"day": day.isoformat(), "hours": "12:00-15:00",
                                                            "reason": "Short day"}, token_from=page_of(coach))
    rows = db.session.scalars(db.select(DateOverride).where(DateOverride.coach_id == coach.id)).all()
    assert [(r.day, r.blocked, r.start_time) for r in rows] == [(day, False, time(12))]
    past = post(f"/admin/availability/block?coach={coach.id}", {"start": "2020-01-01", "end": "2020-01-03"},
                token_from=page_of(coach))
    assert "This date has passed" in past.get_data(as_text=True)
    booking = make_booking("confirmed")  # three days ahead
    local = booking.starts_at.astimezone(__import__("zoneinfo").ZoneInfo(coach.timezone)).date()
    response = post(f"/admin/availability/block?coach={coach.id}", {"start": local.isoformat(),
                                                                   "end": (local + timedelta(days=1)).isoformat(),
                                                                   "reason": "Leave"},
                    token_from=page_of(coach), follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Blocked 2 date(s)" in text and "1 booking(s) already fall on these dates" in text
    post(f"/admin/availability/override/clear?coach={coach.id}", {"day": day.isoformat()}, token_from=page_of(coach))
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(DateOverride.id)).where(DateOverride.day == day)) == 0


def test_slots_with_booked_counts_bulk_creation_and_no_deleting_booked_ones(office, make_slot, make_booking, login,
                                                                           client, post):
    coach = office.coach
    group = office.cat.group
    slot_day = _future(5)
    booked = make_slot(coach, day=slot_day, start="10:00", end="11:00", capacity=3, ctype=group)
    start = booked.day
    from datetime import datetime
    from zoneinfo import ZoneInfo
    at = datetime.combine(slot_day, time(10), tzinfo=ZoneInfo(coach.timezone)).astimezone(ZoneInfo("UTC"))
    make_booking("confirmed", ctype=group, slot=booked, starts_at=at)
    login(office.admin)
    page = client.get(page_of(coach)).get_data(as_text=True)
    row = re.search(rf'<tr data-slot="{booked.id}".*?</tr>', page, re.S).group(0)
    assert '<td class="booked">1 / 3</td>' in row and '<td class="remaining">2</td>' in row
    refused = post(f"/admin/availability/slot/delete?coach={coach.id}", {"slot_id": booked.id},
                   token_from=page_of(coach), follow_redirects=True)
    assert "cannot be deleted" in refused.get_data(as_text=True) and db.session.get(Slot, booked.id) is not None
    first = start + timedelta(days=7 - start.weekday())  # next Monday
    response = post(f"/admin/availability/slots/bulk?coach={coach.id}",
                    {"weekdays": ["0", "2"], "start_date": first.isoformat(),
                     "end_date": (first + timedelta(days=13)).isoformat(), "start_time": "16:00", "end_time": "17:00",
                     "capacity": "2", "consultation_type_id": "0"}, token_from=page_of(coach), follow_redirects=True)
    assert "Created 4 slot(s)" in response.get_data(as_text=True)
    empty = db.session.scalar(db.select(Slot).where(Slot.coach_id == coach.id, Slot.day == first))
    post(f"/admin/availability/slot/delete?coach={coach.id}", {"slot_id": empty.id}, token_from=page_of(coach))
    db.session.expire_all()
    assert db.session.get(Slot, empty.id) is None
    bad = post(f"/admin/availability/slot?coach={coach.id}", {"day": first.isoformat(), "start_time": "12:00",
                                                              "end_time": "11:00", "capacity": "0",
                                                              "consultation_type_id": "0"}, token_from=page_of(coach))
    assert bad.status_code == 200 and "At least 1 seat" in bad.get_data(as_text=True)


def test_a_coach_cannot_edit_another_coachs_slots(office, make_slot, login, client, post):
    theirs = make_slot(office.other_coach, day=_future(6))
    login(office.cat.coach_user)
    response = post(f"/admin/availability/slot/delete?coach={office.coach.id}", {"slot_id": theirs.id},
                    token_from=page_of(office.coach))
    assert response.status_code == 404 and db.session.get(Slot, theirs.id) is not None


def test_hours_may_run_until_24_00(office, login, client, post):
    coach = office.coach
    login(office.cat.coach_user)
    post(f"/admin/availability/weekly?coach={coach.id}", {"day4": "18:00-24:00"}, token_from=page_of(coach))
    day = _future(10)
    post(f"/admin/availability/override?coach={coach.id}", {"day": day.isoformat(), "hours": "20:00-24:00"},
         token_from=page_of(coach))
    db.session.expire_all()
    assert db.session.execute(db.select(WeeklyHours.start_time, WeeklyHours.end_time)
                              .where(WeeklyHours.coach_id == coach.id)).all() == [(time(18), time(0))]
    assert db.session.scalar(db.select(DateOverride.end_time).where(DateOverride.day == day)) == time(0)
    page = client.get(page_of(coach)).get_data(as_text=True)
    assert re.search(r'id="day4"[^>]*value="18:00-24:00"', page) and "20:00-24:00" in page
    refused = post(f"/admin/availability/weekly?coach={coach.id}", {"day4": "18:00-24:30"}, token_from=page_of(coach))
    assert "is not a time of day" in refused.get_data(as_text=True)
