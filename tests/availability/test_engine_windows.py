"""Working windows (the calendar's free hours, utilization) follow the engine's own rules, and the
three rules the README states about offered times hold in the engine.

London changes clocks on 28 Mar 2027 (01:00 → 02:00) and 31 Oct 2027; Berlin on 28 Mar 2027
(02:00 → 03:00).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bookingadmin.availability.engine import (
    BusyInterval,
    CoachSchedule,
    DateOverride,
    SlotWindow,
    TypeSettings,
    WeeklyInterval,
    bookable_times,
    free_windows,
    minutes,
    working_windows,
)

UTC = timezone.utc
NOW = datetime(2027, 1, 1, tzinfo=UTC)
MONDAY = date(2027, 3, 1)
BERLIN_GAP_DAY = date(2027, 3, 28)  # a Sunday: 02:00-03:00 does not exist
LONDON_FALL_BACK = date(2027, 10, 31)  # a Sunday: 01:00-02:00 happens twice


def at(zone: str, day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def settings(type_id: int = 1, step: int = 15, **fields) -> TypeSettings:
    return TypeSettings(id=type_id, step_minutes=step, horizon_days=365,
                        prices={30: Decimal("50"), 60: Decimal("90")}, **fields)


def windows_of(schedule: CoachSchedule, day: date, type_id: int | None = None) -> list[tuple[str, str]]:
    zone = ZoneInfo(schedule.timezone)
    found = working_windows(schedule, day, day, type_id).get(day, [])
    return [(a.astimezone(zone).strftime("%H:%M"), b.astimezone(zone).strftime("%d %H:%M")) for a, b in found]


def test_weekly_hours_become_utc_windows_per_coach_date():
    schedule = CoachSchedule("Asia/Riyadh", weekly=(WeeklyInterval(0, time(9), time(12)),
                                                    WeeklyInterval(0, time(13), time(17))))
    result = working_windows(schedule, MONDAY, MONDAY + timedelta(days=1))
    assert list(result) == [MONDAY]  # Tuesday has no hours
    assert result[MONDAY] == [(at("Asia/Riyadh", MONDAY, "09:00"), at("Asia/Riyadh", MONDAY, "12:00")),
                              (at("Asia/Riyadh", MONDAY, "13:00"), at("Asia/Riyadh", MONDAY, "17:00"))]
    assert all(a.tzinfo == UTC for day in result.values() for a, _ in day)
    assert minutes(result[MONDAY]) == 7 * 60


def test_touching_windows_merge_and_an_end_of_midnight_is_24_00():
    schedule = CoachSchedule("Europe/London", weekly=(WeeklyInterval(0, time(9), time(12)),
                                                      WeeklyInterval(0, time(12), time(0))))
    assert windows_of(schedule, MONDAY) == [("09:00", "02 00:00")]


def test_per_type_hours_count_only_for_their_type_and_every_type_without_one():
    schedule = CoachSchedule("UTC", weekly=(WeeklyInterval(0, time(9), time(10), frozenset({1})),
                                            WeeklyInterval(0, time(14), time(15), frozenset({2}))))
    assert windows_of(schedule, MONDAY) == [("09:00", "01 10:00"), ("14:00", "01 15:00")]
    assert windows_of(schedule, MONDAY, type_id=1) == [("09:00", "01 10:00")]
    assert windows_of(schedule, MONDAY, type_id=3) == []


def test_overrides_replace_the_week_and_a_blocked_date_closes_its_slots():
    slot = SlotWindow(7, MONDAY, time(18), time(19), capacity=1, booked=0)
    weekly = (WeeklyInterval(0, time(9), time(12)),)
    custom = CoachSchedule("UTC", weekly=weekly, slots=(slot,),
                           overrides=(DateOverride(MONDAY, False, ((time(15), time(16)),)),))
    assert windows_of(custom, MONDAY) == [("15:00", "01 16:00"), ("18:00", "01 19:00")]
    blocked = CoachSchedule("UTC", weekly=weekly, slots=(slot,), overrides=(DateOverride(MONDAY, True),))
    assert windows_of(blocked, MONDAY) == []
    closed = CoachSchedule("UTC", weekly=weekly, slots=(SlotWindow(7, MONDAY, time(18), time(19), 1, 0,
                                                                   active=False),))
    assert windows_of(closed, MONDAY) == [("09:00", "01 12:00")]


def test_hours_starting_in_a_dst_gap_begin_at_the_first_clock_time_after_it():
    """README: hours that start inside a DST gap begin at the first clock time after the gap.

    The old analytics copy put 02:30 at 03:30 (datetime.combine keeps the pre-gap offset)."""
    schedule = CoachSchedule("Europe/Berlin", weekly=(WeeklyInterval(6, time(2, 30), time(5)),))
    assert windows_of(schedule, BERLIN_GAP_DAY) == [("03:00", "28 05:00")]
    assert minutes(working_windows(schedule, BERLIN_GAP_DAY, BERLIN_GAP_DAY)[BERLIN_GAP_DAY]) == 120
    times = bookable_times(schedule, settings(step=15), 60, BERLIN_GAP_DAY, BERLIN_GAP_DAY, "Europe/Berlin", NOW)
    assert times[0].starts_at.strftime("%H:%M") == "03:00"
    assert times[0].starts_at == working_windows(schedule, BERLIN_GAP_DAY, BERLIN_GAP_DAY)[BERLIN_GAP_DAY][0][0]


def test_a_day_with_a_repeated_hour_works_its_real_length():
    schedule = CoachSchedule("Europe/London", weekly=(WeeklyInterval(6, time(0), time(0)),))
    assert minutes(working_windows(schedule, LONDON_FALL_BACK, LONDON_FALL_BACK)[LONDON_FALL_BACK]) == 25 * 60


def test_the_step_grid_counts_from_the_coachs_local_midnight():
    """README: starts lie on the step grid of the coach's wall clock, not on the hours' start."""
    schedule = CoachSchedule("Asia/Kolkata", weekly=(WeeklyInterval(0, time(9, 10), time(12)),))  # UTC+05:30
    times = bookable_times(schedule, settings(step=30), 60, MONDAY, MONDAY, "Asia/Kolkata", NOW)
    assert [t.starts_at.strftime("%H:%M") for t in times] == ["09:30", "10:00", "10:30", "11:00"]


def test_buffers_widen_both_the_existing_booking_and_the_time_offered():
    """README: a booking keeps its time widened by its type's buffers, and a candidate is widened
    by the requested type's buffers; the two widened ranges may not overlap (touching is fine)."""
    day = MONDAY
    existing = BusyInterval(at("UTC", day, "10:00"), at("UTC", day, "11:15"),  # 10:00-11:00 + 15 min after
                            core_starts_at=at("UTC", day, "10:00"), core_ends_at=at("UTC", day, "11:00"))
    schedule = CoachSchedule("UTC", weekly=(WeeklyInterval(0, time(8), time(14)),), busy=(existing,))
    plain = bookable_times(schedule, settings(), 60, day, day, "UTC", NOW)
    assert "11:15" in [t.starts_at.strftime("%H:%M") for t in plain]  # the booking's own buffer only
    assert "09:00" in [t.starts_at.strftime("%H:%M") for t in plain]
    padded = bookable_times(schedule, settings(buffer_before_minutes=10, buffer_after_minutes=5), 60, day, day,
                            "UTC", NOW)
    starts = [t.starts_at.strftime("%H:%M") for t in padded]
    assert "11:15" not in starts and "11:30" in starts  # 11:30 - 10 min = 11:20, clear of 11:15
    assert "09:00" not in starts and "08:45" in starts  # 08:45 + 60 + 5 = 09:50, clear of 10:00


def test_free_windows_are_the_working_windows_minus_busy_time():
    busy = (BusyInterval(at("UTC", MONDAY, "10:00"), at("UTC", MONDAY, "11:15")),
            BusyInterval(at("UTC", MONDAY, "10:30"), at("UTC", MONDAY, "11:00")),
            BusyInterval(at("UTC", MONDAY, "16:30"), at("UTC", MONDAY, "18:00")))
    schedule = CoachSchedule("UTC", weekly=(WeeklyInterval(0, time(9), time(12)), WeeklyInterval(0, time(13), time(17))),
                             busy=busy)
    free = free_windows(schedule, MONDAY, MONDAY)
    assert [(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in free] == [
        ("09:00", "10:00"), ("11:15", "12:00"), ("13:00", "16:30")]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Europe/London", "America/New_York", "Australia/Lord_Howe"])
def test_every_weekly_start_lies_inside_a_working_window(zone):
    schedule = CoachSchedule(zone, weekly=tuple(WeeklyInterval(d, time(0, 45), time(3, 15)) for d in range(7))
                             + tuple(WeeklyInterval(d, time(22), time(0)) for d in range(7)))
    first, last = date(2027, 3, 20), date(2027, 4, 10)
    windows = [w for day in working_windows(schedule, first - timedelta(days=1), last + timedelta(days=1)).values()
               for w in day]
    times = bookable_times(schedule, settings(step=15), 30, first, last, "UTC", NOW)
    assert times
    for offered in times:
        start, end = offered.starts_at.astimezone(UTC), offered.starts_at.astimezone(UTC) + timedelta(minutes=30)
        assert any(a <= start and end <= b for a, b in windows), offered
