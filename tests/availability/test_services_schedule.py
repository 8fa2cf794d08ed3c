"""What customers are offered, read from the database: weekly hours, overrides, slots and bookings together.

London's clocks go forward on Sunday 28 March 2027 at 01:00 GMT (to 02:00 BST).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bookingadmin.availability import services
from bookingadmin.availability.engine import WeeklyInterval
from bookingadmin.availability.models import Slot, WeeklyHours
from bookingadmin.core.errors import Conflict, DomainError
from bookingadmin.extensions import db

NOW = datetime(2027, 3, 20, 12, 0, tzinfo=timezone.utc)  # a Saturday, a week before the change
LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc
SATURDAY, SUNDAY, MONDAY = date(2027, 3, 27), date(2027, 3, 28), date(2027, 3, 29)


def utc(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=UTC)


def london(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=LONDON).astimezone(UTC)


def hours(coach, *intervals: tuple[int, str, str], types: list[int] | None = None) -> None:
    for weekday, start, end in intervals:
        db.session.add(WeeklyHours(coach_id=coach.id, weekday=weekday, start_time=time.fromisoformat(start),
                                   end_time=time.fromisoformat(end), consultation_type_ids=types))
    db.session.commit()


def offered(coach, ctype, day: date, end: date | None = None, minutes: int = 60, viewer: str = "UTC",
            **kw) -> list[datetime]:
    times = services.bookable_times(coach_id=coach.id, consultation_type_id=ctype.id, duration_minutes=minutes,
                                    start=day, end=end or day, viewer_tz=viewer, now=kw.pop("now", NOW), **kw)
    return [t.starts_at for t in times]


def hhmm(times: list[datetime], zone=UTC) -> list[str]:
    return [t.astimezone(zone).strftime("%H:%M") for t in times]


@pytest.fixture
def ctype(add_type):
    return add_type(durations={30: "40.00", 60: "90.00"})


@pytest.fixture
def coach(add_coach, ctype):
    return add_coach("Europe/London", types=[ctype])


# --------------------------------------------------------------------------- weekly hours and DST


def test_weekly_hours_follow_the_coach_clock_across_the_dst_change(coach, ctype):
    hours(coach, (5, "09:00", "11:00"), (0, "09:00", "11:00"))  # Saturday, Monday
    assert hhmm(offered(coach, ctype, SATURDAY)) == ["09:00", "09:30", "10:00"]  # GMT = UTC
    assert hhmm(offered(coach, ctype, MONDAY)) == ["08:00", "08:30", "09:00"]  # BST = UTC+1
    assert hhmm(offered(coach, ctype, MONDAY, viewer="Europe/London"), LONDON) == ["09:00", "09:30", "10:00"]


def test_the_hour_that_does_not_exist_is_skipped(coach, ctype):
    hours(coach, (6, "00:00", "03:00"))  # Sunday night, through the jump
    times = offered(coach, ctype, SUNDAY, minutes=30)
    assert hhmm(times) == ["00:00", "00:30", "01:00", "01:30"]
    assert hhmm(times, LONDON) == ["00:00", "00:30", "02:00", "02:30"]
    schedule = services.coach_schedule(coach.id, SUNDAY, SUNDAY, now=NOW)
    assert schedule.timezone == "Europe/London" and len(schedule.weekly) == 1


def test_a_break_between_intervals_is_not_offered(coach, ctype):
    hours(coach, (5, "09:00", "12:00"), (5, "13:00", "15:00"))
    assert hhmm(offered(coach, ctype, SATURDAY)) == ["09:00", "09:30", "10:00", "10:30", "11:00", "13:00", "13:30",
                                                     "14:00"]


def test_type_restricted_hours_offer_only_those_types(coach, ctype, add_type):
    vip = add_type()
    coach.consultation_types.append(vip)
    db.session.commit()
    hours(coach, (5, "09:00", "10:00"))
    hours(coach, (5, "14:00", "15:00"), types=[vip.id])
    assert hhmm(offered(coach, ctype, SATURDAY)) == ["09:00"]
    assert hhmm(offered(coach, vip, SATURDAY)) == ["09:00", "14:00"]


# --------------------------------------------------------------------------- bookings take time


def test_bookings_holding_time_block_it_and_others_do_not(coach, ctype, book):
    hours(coach, (5, "09:00", "14:00"))
    book(coach, ctype, utc(SATURDAY, "09:00"), status="confirmed")
    book(coach, ctype, utc(SATURDAY, "10:00"), status="pending_payment", hold_expires_at=NOW + timedelta(minutes=10))
    book(coach, ctype, utc(SATURDAY, "11:00"), status="pending_payment", hold_expires_at=NOW - timedelta(minutes=1))
    book(coach, ctype, utc(SATURDAY, "12:00"), status="cancelled")
    book(coach, ctype, utc(SATURDAY, "13:00"), status="completed")
    assert hhmm(offered(coach, ctype, SATURDAY)) == ["11:00", "11:30", "12:00", "12:30", "13:00"]


def test_buffers_stored_on_a_booking_keep_time_around_it(coach, add_type, book):
    buffered = add_type(buffer_after_minutes=30)
    coach.consultation_types.append(buffered)
    db.session.commit()
    hours(coach, (5, "09:00", "13:00"))
    book(coach, buffered, utc(SATURDAY, "09:00"))  # busy 09:00-10:30
    assert hhmm(offered(coach, buffered, SATURDAY)) == ["10:30", "11:00", "11:30", "12:00"]


def test_rescheduling_ignores_the_booking_being_moved(coach, ctype, book):
    hours(coach, (5, "09:00", "10:00"))
    moving = book(coach, ctype, utc(SATURDAY, "09:00"))
    assert offered(coach, ctype, SATURDAY) == []
    assert hhmm(offered(coach, ctype, SATURDAY, exclude_booking_id=moving.id)) == ["09:00"]


# --------------------------------------------------------------------------- overrides and blocked dates


def test_custom_hours_replace_the_weekly_ones_and_a_blocked_date_offers_nothing(coach, ctype):
    hours(coach, (5, "09:00", "11:00"), (6, "09:00", "11:00"))
    services.set_date_override(coach.id, SATURDAY, [(time(15), time(16))], reason="afternoon only", actor=None,
                               now=NOW)
    db.session.add(Slot(coach_id=coach.id, day=SUNDAY, start_time=time(12), end_time=time(13), capacity=1))
    services.set_date_override(coach.id, SUNDAY, [], reason="holiday", actor=None, now=NOW)
    db.session.commit()
    assert hhmm(offered(coach, ctype, SATURDAY)) == ["15:00"]
    assert offered(coach, ctype, SUNDAY) == []  # the slot too
    services.clear_date_override(coach.id, SATURDAY, until=SUNDAY, actor=None, now=NOW)
    assert hhmm(offered(coach, ctype, SATURDAY)) == ["09:00", "09:30", "10:00"]


def test_blocking_a_range_of_dates(coach, ctype, book):
    hours(coach, *[(d, "09:00", "17:00") for d in range(7)])
    kept = book(coach, ctype, utc(date(2027, 4, 6), "10:00"))
    result = services.block_dates(coach.id, date(2027, 4, 5), date(2027, 4, 11), "annual leave", actor=None, now=NOW)
    db.session.commit()
    assert result.days == 7 and result.affected_booking_ids == [kept.id]
    dates = services.available_dates(coach_id=coach.id, consultation_type_id=ctype.id, duration_minutes=60,
                                     year=2027, month=4, viewer_tz="Europe/London", now=NOW)
    assert date(2027, 4, 4) in dates and date(2027, 4, 12) in dates
    assert not {date(2027, 4, d) for d in range(5, 12)} & set(dates)


# --------------------------------------------------------------------------- slots


def test_slot_seats_are_counted_from_bookings(coach, ctype, book):
    slot = services.create_slot(coach.id, day=SATURDAY, start_time=time(10), end_time=time(11), capacity=3,
                                actor=None, now=NOW)
    db.session.commit()
    [only] = services.bookable_times(coach_id=coach.id, consultation_type_id=ctype.id, duration_minutes=60,
                                     start=SATURDAY, end=SATURDAY, viewer_tz="UTC", now=NOW)
    assert (only.slot_id, only.remaining) == (slot.id, 3)
    book(coach, ctype, utc(SATURDAY, "10:00"), slot_id=slot.id)
    book(coach, ctype, utc(SATURDAY, "10:00"), slot_id=slot.id, status="pending_payment",
         hold_expires_at=NOW + timedelta(minutes=5))
    book(coach, ctype, utc(SATURDAY, "10:00"), slot_id=slot.id, status="cancelled")
    assert services.slot_booked_counts([slot.id], now=NOW) == {slot.id: 2}
    [summary] = services.list_slots(coach.id, SATURDAY, SATURDAY, actor=None, now=NOW)
    assert (summary.booked, summary.remaining) == (2, 1)
    assert [t.remaining for t in services.bookable_times(
        coach_id=coach.id, consultation_type_id=ctype.id, duration_minutes=60, start=SATURDAY, end=SATURDAY,
        viewer_tz="UTC", now=NOW)] == [1]
    book(coach, ctype, utc(SATURDAY, "10:00"), slot_id=slot.id)
    assert offered(coach, ctype, SATURDAY) == []  # full
    assert services.slot_booked_counts([slot.id], now=NOW + timedelta(minutes=10)) == {slot.id: 2}  # hold expired


def test_inactive_and_other_type_slots_are_not_offered(coach, ctype, add_type):
    other = add_type()
    coach.consultation_types.append(other)
    db.session.commit()
    closed = services.create_slot(coach.id, day=SATURDAY, start_time=time(9), end_time=time(10), actor=None,
                                  now=NOW, is_active=False)
    services.create_slot(coach.id, day=SATURDAY, start_time=time(11), end_time=time(12), actor=None, now=NOW,
                         consultation_type_id=other.id)
    services.create_slot(coach.id, day=SATURDAY, start_time=time(13), end_time=time(14), actor=None, now=NOW)
    db.session.commit()
    assert hhmm(offered(coach, ctype, SATURDAY)) == ["13:00"]
    assert hhmm(offered(coach, other, SATURDAY)) == ["11:00", "13:00"]
    services.update_slot(closed.id, is_active=True, actor=None, now=NOW)
    assert hhmm(offered(coach, ctype, SATURDAY)) == ["09:00", "13:00"]


# --------------------------------------------------------------------------- check_bookable


def check(coach, ctype, starts_at, **kw):
    values = dict(coach_id=coach.id, consultation_type_id=ctype.id, duration_minutes=60, starts_at=starts_at,
                  now=NOW)
    values.update(kw)
    return services.check_bookable(**values)


def test_check_bookable_confirms_an_offered_time(coach, ctype, book):
    hours(coach, (5, "09:00", "12:00"))
    slot = services.create_slot(coach.id, day=SATURDAY, start_time=time(14), end_time=time(15), actor=None, now=NOW)
    db.session.commit()
    found = check(coach, ctype, utc(SATURDAY, "10:00"))
    assert found.starts_at == utc(SATURDAY, "10:00") and found.slot_id is None and str(found.price) == "90.00"
    assert check(coach, ctype, utc(SATURDAY, "14:00")).slot_id == slot.id
    assert check(coach, ctype, utc(SATURDAY, "14:00"), slot_id=slot.id).remaining == 1
    booked = book(coach, ctype, utc(SATURDAY, "10:00"))
    with pytest.raises(Conflict) as taken:
        check(coach, ctype, utc(SATURDAY, "10:00"))
    assert taken.value.code == "slot_taken" and "starts_at" in taken.value.fields
    assert check(coach, ctype, utc(SATURDAY, "10:00"), exclude_booking_id=booked.id)
    book(coach, ctype, utc(SATURDAY, "14:00"), slot_id=slot.id)
    with pytest.raises(Conflict) as full:
        check(coach, ctype, utc(SATURDAY, "14:00"), slot_id=slot.id)
    assert full.value.fields == {"slot_id": "This slot is full"}


@pytest.mark.parametrize("change, field, words", [
    (dict(starts_at=utc(SATURDAY, "10:15")), "starts_at", "not available"),
    (dict(starts_at=utc(SATURDAY, "16:00")), "starts_at", "not available"),
    (dict(starts_at=NOW - timedelta(hours=1)), "starts_at", "past"),
    (dict(starts_at=NOW + timedelta(days=61)), "starts_at", "60 days"),
    (dict(starts_at=datetime(2027, 3, 27, 10)), "starts_at", "time zone"),
    (dict(duration_minutes=45), "duration_minutes", "30 or 60"),
    (dict(consultation_type_id=999_999), "consultation_type_id", "does not exist"),
    (dict(coach_id=999_999), "coach_id", "not taking bookings"),
    (dict(slot_id=999_999), "slot_id", "does not exist"),
])
def test_check_bookable_names_the_field(coach, ctype, change, field, words):
    hours(coach, (5, "09:00", "12:00"))
    with pytest.raises(DomainError) as error:
        check(coach, ctype, **{"starts_at": utc(SATURDAY, "10:00"), **change})
    assert list(error.value.fields) == [field] and words in error.value.fields[field]


def test_check_bookable_needs_an_active_coach_who_offers_an_open_type(coach, ctype, add_type, add_coach):
    hours(coach, (5, "09:00", "12:00"))
    with pytest.raises(DomainError, match="does not offer") as not_offered:
        check(coach, add_type(), utc(SATURDAY, "10:00"))
    assert list(not_offered.value.fields) == ["consultation_type_id"]
    notice = add_type(min_notice_minutes=24 * 60)
    coach.consultation_types.append(notice)
    db.session.commit()
    with pytest.raises(DomainError, match="24 hours"):
        check(coach, notice, utc(SATURDAY, "10:00"), now=utc(SATURDAY, "08:00"))
    ctype.is_active = False
    db.session.commit()
    with pytest.raises(DomainError, match="not open") as closed:
        check(coach, ctype, utc(SATURDAY, "10:00"))
    assert list(closed.value.fields) == ["consultation_type_id"]
    ctype.is_active, coach.is_active = True, False
    db.session.commit()
    with pytest.raises(DomainError) as inactive:
        check(coach, ctype, utc(SATURDAY, "10:00"))
    assert list(inactive.value.fields) == ["coach_id"]


# --------------------------------------------------------------------------- queries stay constant


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def queries(call) -> int:
    db.session.expire_all()
    with QueryCounter(db.engine) as counter:
        call()
    return counter.count


def test_loading_runs_the_same_queries_whatever_the_range_or_the_bookings(coach, ctype, book, add_coach):
    hours(coach, *[(d, "09:00", "17:00") for d in range(7)])
    services.create_slot(coach.id, day=date(2027, 4, 3), start_time=time(18), end_time=time(19), actor=None, now=NOW)
    services.block_dates(coach.id, date(2027, 4, 20), date(2027, 4, 21), "", actor=None, now=NOW)
    db.session.commit()
    book(coach, ctype, utc(date(2027, 4, 1), "09:00"))

    def month(months: int):
        return lambda: services.bookable_times(
            coach_id=coach.id, consultation_type_id=ctype.id, duration_minutes=60, start=date(2027, 4, 1),
            end=date(2027, 4, 1) + timedelta(days=30 * months), viewer_tz="UTC", now=NOW)

    one_month, one_booking = queries(month(1)), queries(month(1))
    assert queries(month(3)) == one_month
    for n in range(9):
        book(coach, ctype, utc(date(2027, 4, 2) + timedelta(days=n), "09:00"))
    assert queries(month(1)) == one_booking
    check_once = queries(lambda: check(coach, ctype, utc(date(2027, 4, 2), "12:00")))
    assert check_once <= one_month + 1  # + the slot lookup it may do
    others = [add_coach("Asia/Riyadh", types=[ctype]) for _ in range(3)]

    def overview(ids):
        return lambda: services.available_dates_by_coach(
            coach_ids=ids, consultation_type_id=ctype.id, duration_minutes=60, year=2027, month=4,
            viewer_tz="UTC", now=NOW)

    assert queries(overview([coach.id])) == queries(overview([coach.id] + [c.id for c in others]))
    coach_id = coach.id
    assert queries(lambda: services.coach_schedules([coach_id], date(2027, 4, 1), date(2027, 4, 30), now=NOW)) == 5
