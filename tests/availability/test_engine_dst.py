"""DST tests: gaps are never offered, repeated hours mean their first occurrence, and a booking
is real elapsed time. 2026 changes: London 29 Mar / 25 Oct, New York 8 Mar / 1 Nov,
Lord Howe (half-hour DST) 4 Oct."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bookingadmin.availability.engine import (
    BookableTime,
    BusyInterval,
    CoachSchedule,
    SlotWindow,
    TypeSettings,
    WeeklyInterval,
    available_dates,
    bookable_times,
)

UTC = timezone.utc
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SUNDAY = 6


def settings(step: int = 15, horizon_days: int = 365) -> TypeSettings:
    prices = {30: Decimal("50"), 60: Decimal("90"), 90: Decimal("120")}
    return TypeSettings(id=1, step_minutes=step, horizon_days=horizon_days, prices=prices)


def offered(zone: str, hours: tuple[time, time] | None, day: date, duration: int = 60, *,
            step: int = 15, viewer: str | None = None, busy: tuple[BusyInterval, ...] = (),
            slots: tuple[SlotWindow, ...] = ()) -> list[BookableTime]:
    """Times on ``day`` (viewer's date) for a coach working ``hours`` on that weekday."""
    weekly = (WeeklyInterval(day.weekday(), *hours),) if hours else ()
    schedule = CoachSchedule(zone, weekly=weekly, busy=busy, slots=slots)
    return bookable_times(schedule, settings(step), duration, day, day, viewer or zone, NOW)


def utc(result: list[BookableTime]) -> list[str]:
    return [t.starts_at.astimezone(UTC).strftime("%d %H:%M") for t in result]


def wall(result: list[BookableTime]) -> list[str]:
    return [t.starts_at.strftime("%H:%M") for t in result]


def utc_grid(day: int, first: str, last: str, step: int = 15) -> list[str]:
    current = datetime.strptime(f"{day} {first}", "%d %H:%M")
    stop = datetime.strptime(f"{day} {last}", "%d %H:%M")
    out = []
    while current <= stop:
        out.append(current.strftime("%d %H:%M"))
        current += timedelta(minutes=step)
    return out


def assert_real_length(result: list[BookableTime], minutes: int) -> None:
    for t in result:
        elapsed = t.ends_at.astimezone(UTC) - t.starts_at.astimezone(UTC)
        assert elapsed == timedelta(minutes=minutes)


# --------------------------------------------------------------------------- spring forward


@pytest.mark.parametrize("zone, day, gap_hour, utc_first, utc_last", [
    ("Europe/London", date(2026, 3, 29), "01", "29 00:00", "29 02:00"),
    ("America/New_York", date(2026, 3, 8), "02", "08 05:00", "08 07:00"),
])
def test_spring_forward_gap_is_never_offered(zone: str, day: date, gap_hour: str,
                                             utc_first: str, utc_last: str) -> None:
    result = offered(zone, (time(0), time(4)), day)
    # Four wall-clock hours that are three real hours: 9 starts for a 60-minute booking.
    assert utc(result) == utc_grid(day.day, utc_first[3:], utc_last[3:])
    assert not [s for s in wall(result) if s.startswith(gap_hour)]
    assert_real_length(result, 60)


def test_a_booking_across_the_gap_lasts_sixty_real_minutes() -> None:
    result = offered("Europe/London", (time(0), time(4)), date(2026, 3, 29))
    across = next(t for t in result if wall([t]) == ["00:30"])
    assert across.ends_at.strftime("%H:%M %Z") == "02:30 BST"
    # Python subtracts datetimes sharing a tzinfo on the wall clock (2 h here): compare in UTC.
    assert across.ends_at.astimezone(UTC) - across.starts_at.astimezone(UTC) == timedelta(hours=1)


def test_window_starting_inside_the_gap_opens_when_the_clock_lands() -> None:
    result = offered("Europe/London", (time(1, 30), time(3)), date(2026, 3, 29), 30)
    assert wall(result) == ["02:00", "02:15", "02:30"]


def test_window_ending_inside_the_gap_ends_at_the_jump() -> None:
    result = offered("Europe/London", (time(0), time(1, 30)), date(2026, 3, 29), 30)
    assert wall(result) == ["00:00", "00:15", "00:30"]


def test_busy_booking_across_the_gap_blocks_by_real_time() -> None:
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 00:30 GMT - 02:30 BST
    busy = (BusyInterval(start, start + timedelta(hours=1), 1),)
    result = offered("Europe/London", (time(0), time(4)), date(2026, 3, 29), busy=busy)
    assert wall(result) == ["02:30", "02:45", "03:00"]


def test_slot_length_is_real_time_and_a_slot_in_the_gap_does_not_exist() -> None:
    day = date(2026, 3, 29)
    across = SlotWindow(1, day, time(0, 30), time(2, 30), capacity=1, booked=0)  # 60 real min
    in_gap = SlotWindow(2, day, time(1, 30), time(3), capacity=1, booked=0)
    result = offered("Europe/London", None, day, 60, slots=(across, in_gap))
    assert [(t.slot_id, wall([t])[0]) for t in result] == [(1, "00:30")]
    assert offered("Europe/London", None, day, 90, slots=(across,)) == []


def test_half_hour_dst_keeps_the_grid_on_the_coachs_wall_clock() -> None:
    result = offered("Australia/Lord_Howe", (time(0), time(6)), date(2026, 10, 4), step=60)
    assert wall(result) == ["00:00", "01:00", "03:00", "04:00", "05:00"]
    assert utc(result) == ["03 13:30", "03 14:30", "03 16:00", "03 17:00", "03 18:00"]


# --------------------------------------------------------------------------- fall back


@pytest.mark.parametrize("zone, day, utc_first, utc_last, utc_after", [
    ("Europe/London", date(2026, 10, 25), "24 23:00", "25 00:45", "25 02:00"),
    ("America/New_York", date(2026, 11, 1), "01 04:00", "01 05:45", "01 07:00"),
])
def test_fall_back_repeated_hour_is_offered_once_as_its_first_occurrence(
        zone: str, day: date, utc_first: str, utc_last: str, utc_after: str) -> None:
    result = offered(zone, (time(0), time(3)), day)
    first = datetime.strptime(f"2026-{day.month}-{utc_first}", "%Y-%m-%d %H:%M")
    expected = [(first + timedelta(minutes=15 * i)).strftime("%d %H:%M") for i in range(8)]
    assert expected[-1] == utc_last
    assert utc(result) == expected + [utc_after]
    assert wall(result) == [f"0{h}:{m:02}" for h in (0, 1) for m in (0, 15, 30, 45)] + ["02:00"]
    assert all(t.starts_at.fold == 0 for t in result)
    assert_real_length(result, 60)


# --------------------------------------------------------------------------- offsets after


@pytest.mark.parametrize("zone, before, after, offset_before, offset_after", [
    ("Europe/London", date(2026, 3, 27), date(2026, 3, 30), 0, 1),
    ("Europe/London", date(2026, 10, 23), date(2026, 10, 26), 1, 0),
    ("America/New_York", date(2026, 3, 6), date(2026, 3, 9), -5, -4),
    ("America/New_York", date(2026, 10, 30), date(2026, 11, 2), -4, -5),
])
def test_nine_oclock_moves_in_utc_after_the_change(zone: str, before: date, after: date,
                                                    offset_before: int,
                                                    offset_after: int) -> None:
    for day, offset in ((before, offset_before), (after, offset_after)):
        [first, *_] = offered(zone, (time(9), time(10)), day)
        assert first.starts_at.utcoffset() == timedelta(hours=offset)
        assert first.starts_at.astimezone(UTC).hour == 9 - offset


def test_riyadh_has_no_dst_and_a_constant_offset() -> None:
    result = offered("Asia/Riyadh", (time(9), time(11)), date(2026, 3, 29), viewer="UTC")
    assert utc(result) == utc_grid(29, "06:00", "07:00")
    assert {t.starts_at.utcoffset() for t in result} == {timedelta(0)}


# --------------------------------------------------------------------------- viewer in DST


@pytest.mark.parametrize("day, count", [(date(2026, 3, 8), 23), (date(2026, 11, 1), 25)])
def test_viewer_day_on_a_change_date_has_its_real_length(day: date, count: int) -> None:
    schedule = CoachSchedule("UTC", weekly=tuple(WeeklyInterval(d, time(0), time(0))
                                                 for d in range(7)))
    result = bookable_times(schedule, settings(step=60), 60, day, day, "America/New_York", NOW)
    assert len(result) == count
    assert {t.starts_at.date() for t in result} == {day}
    hours = [t.starts_at.hour for t in result]
    assert (2 in hours) is (count == 25) and hours.count(1) == (2 if count == 25 else 1)


def test_available_dates_across_a_change_match_bookable_times() -> None:
    schedule = CoachSchedule("Europe/London",
                             weekly=(WeeklyInterval(SUNDAY, time(0, 30), time(1, 45)),))
    result = available_dates(schedule, settings(), 60, 2026, 3, "Europe/London", NOW)
    # 29 March: 00:30-01:45 is 00:30-01:00 GMT then the jump: only 30 real minutes.
    assert result == [date(2026, 3, 1), date(2026, 3, 8), date(2026, 3, 15), date(2026, 3, 22)]
    assert offered("Europe/London", (time(0, 30), time(1, 45)), date(2026, 3, 29)) == []


def test_fall_back_across_midnight_keeps_the_first_occurrence_of_the_new_date() -> None:
    # St. John's fell back at 00:01 until 2011: 2010-11-07 00:01 NDT became 2010-11-06 23:01
    # NST, so the coach's date runs 6th, 7th, 6th again, 7th. The only Sunday 00:00 start is
    # its first occurrence, even when the horizon ends during the repeated Saturday evening.
    schedule = CoachSchedule("America/St_Johns",
                             weekly=(WeeklyInterval(SUNDAY, time(0), time(0, 30)),))
    rules = TypeSettings(id=1, horizon_days=1, prices={15: Decimal("20")})
    now = datetime(2010, 11, 6, 3, 0, tzinfo=UTC)  # the horizon ends at 23:30 NST on the 6th
    result = bookable_times(schedule, rules, 15, date(2010, 11, 6), date(2010, 11, 8), "UTC", now)
    assert utc(result) == ["07 02:30"]
    assert result[0].starts_at.astimezone(ZoneInfo("America/St_Johns")).strftime(
        "%d %H:%M %Z") == "07 00:00 NDT"
