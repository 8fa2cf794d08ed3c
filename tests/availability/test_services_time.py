"""A coach's time as the other domains ask for it: working and free time, the sources of busy time,
hours that end at 24:00, and the bookings left on blocked dates."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bookingadmin.availability import services, sources
from bookingadmin.availability.engine import BusyInterval, WeeklyInterval
from bookingadmin.availability.models import DateOverride, WeeklyHours
from bookingadmin.core.errors import DomainError
from bookingadmin.extensions import db

NOW = datetime(2027, 3, 20, 12, 0, tzinfo=timezone.utc)
MONDAY = date(2027, 3, 22)
LONDON = ZoneInfo("Europe/London")


def london(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=LONDON).astimezone(timezone.utc)


@pytest.fixture
def ctype(add_type):
    return add_type(buffer_after_minutes=15)


@pytest.fixture
def coach(add_coach, ctype):
    coach = add_coach("Europe/London", types=[ctype])
    services.replace_weekly_hours(coach.id, [WeeklyInterval(0, time(9), time(17))], actor=None, now=NOW)
    db.session.commit()
    return coach


def spans(intervals) -> list[tuple[str, str]]:
    return [(a.astimezone(LONDON).strftime("%H:%M"), b.astimezone(LONDON).strftime("%H:%M")) for a, b in intervals]


def test_free_time_is_working_time_less_bookings_and_live_holds_with_their_buffers(coach, ctype, book):
    book(coach, ctype, london(MONDAY, "10:00"))  # holds 10:00-11:15 with its buffer
    book(coach, ctype, london(MONDAY, "13:00"), status="pending_payment", hold_expires_at=NOW + timedelta(hours=1))
    book(coach, ctype, london(MONDAY, "15:00"), status="pending_payment", hold_expires_at=NOW - timedelta(minutes=1))
    book(coach, ctype, london(MONDAY, "16:00"), status="cancelled")
    working = services.working_time([coach.id], MONDAY, MONDAY, now=NOW)[coach.id]
    assert spans(working[MONDAY]) == [("09:00", "17:00")]
    free = services.free_time([coach.id], MONDAY, MONDAY, now=NOW)[coach.id]
    assert spans(free) == [("09:00", "10:00"), ("11:15", "13:00"), ("14:15", "17:00")]


def test_availability_reads_busy_time_from_every_registered_source(app, coach, ctype):
    class Calendar(sources.TimeSource):
        name = "test-calendar"

        def busy(self, coach_ids, low, high, *, now, exclude_booking_id=None):
            return {coach.id: [BusyInterval(london(MONDAY, "09:00"), london(MONDAY, "12:00"))]}

    sources.register_time_source(app, Calendar())
    try:
        times = services.bookable_times(coach_id=coach.id, consultation_type_id=ctype.id, duration_minutes=60,
                                        start=MONDAY, end=MONDAY, viewer_tz="Europe/London", now=NOW)
        assert times[0].starts_at.strftime("%H:%M") == "12:00"
        assert spans(services.free_time([coach.id], MONDAY, MONDAY, now=NOW)[coach.id]) == [("12:00", "17:00")]
    finally:
        del app.extensions["availability.time_sources"]["test-calendar"]
    assert {s.name for s in sources.time_sources()} == {"bookings"}


def test_slot_seats_are_counted_from_the_busy_time(coach, ctype, book, add_type):
    group = add_type(capacity=3)
    coach.consultation_types.append(group)
    db.session.commit()
    slot = services.create_slot(coach.id, day=MONDAY, start_time=time(18), end_time=time(19), capacity=3,
                                actor=None, now=NOW)
    db.session.commit()
    for status in ("confirmed", "confirmed", "cancelled"):
        book(coach, group, london(MONDAY, "18:00"), slot_id=slot.id, status=status)
    [window] = services.coach_schedule(coach.id, MONDAY, MONDAY, now=NOW).slots
    assert (window.booked, window.capacity) == (2, 3)
    assert services.slot_booked_counts([slot.id], now=NOW) == {slot.id: 2}


# --------------------------------------------------------------------------- hours until 24:00


def test_weekly_hours_and_custom_hours_may_end_at_midnight(coach, ctype):
    services.replace_weekly_hours(coach.id, [WeeklyInterval(0, time(18), time(0)), WeeklyInterval(0, time(9), time(12))],
                                  actor=None, now=NOW)
    services.set_date_override(coach.id, MONDAY + timedelta(days=1), [(time(20), time(0))], actor=None, now=NOW)
    db.session.commit()
    assert db.session.scalar(sa.select(WeeklyHours.end_time).where(WeeklyHours.start_time == time(18))) == time(0)
    times = services.bookable_times(coach_id=coach.id, consultation_type_id=ctype.id, duration_minutes=60,
                                    start=MONDAY, end=MONDAY + timedelta(days=1), viewer_tz="Europe/London", now=NOW)
    late = [t.starts_at.strftime("%a %H:%M") for t in times if t.starts_at.hour >= 20]
    assert late[-1] == "Tue 23:00" and "Mon 23:00" in late


@pytest.mark.parametrize("intervals, words", [
    ([WeeklyInterval(0, time(18), time(0)), WeeklyInterval(0, time(23), time(23, 30))], "23:00-23:30 overlaps 18:00-24:00"),
    ([WeeklyInterval(0, time(18), time(17))], "The end 17:00 must be after the start 18:00"),
])
def test_midnight_ends_still_meet_the_order_and_overlap_rules(coach, intervals, words):
    with pytest.raises(DomainError) as refused:
        services.replace_weekly_hours(coach.id, intervals, actor=None, now=NOW)
    assert words in refused.value.message


def test_the_database_accepts_an_end_of_midnight_and_refuses_an_end_before_the_start(coach):
    db.session.add(WeeklyHours(coach_id=coach.id, weekday=3, start_time=time(0), end_time=time(0)))
    db.session.add(DateOverride(coach_id=coach.id, day=MONDAY, blocked=False, start_time=time(22), end_time=time(0)))
    db.session.commit()
    db.session.add(WeeklyHours(coach_id=coach.id, weekday=3, start_time=time(10), end_time=time(9)))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


# --------------------------------------------------------------------------- blocked dates


def test_bookings_left_on_blocked_dates_are_listed_by_start(coach, ctype, book):
    later = book(coach, ctype, london(MONDAY + timedelta(days=7), "11:00"))
    first = book(coach, ctype, london(MONDAY, "09:00"))
    book(coach, ctype, london(MONDAY, "14:00"), status="cancelled")
    book(coach, ctype, london(MONDAY + timedelta(days=1), "09:00"))  # a date not asked about
    days = [MONDAY, MONDAY + timedelta(days=7), MONDAY + timedelta(days=6)]
    assert services.bookings_left_on(coach.id, days, now=NOW) == [first.id, later.id]
