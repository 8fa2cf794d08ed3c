"""Example tests for the availability engine: each rule a customer or coach would notice.

The coach and the viewer are both in Asia/Riyadh (UTC+3, no DST) unless a test says
otherwise, so expected times read as the coach's own wall clock.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bookingadmin.availability.engine import (
    BookableTime,
    BusyInterval,
    CoachSchedule,
    DateOverride,
    EngineError,
    SlotWindow,
    TypeSettings,
    WeeklyInterval,
    available_dates,
    bookable_times,
)

ZONE = "Asia/Riyadh"
MONDAY = date(2026, 6, 1)
TUESDAY = MONDAY + timedelta(days=1)
NOW = datetime(2026, 5, 31, 12, 0, tzinfo=timezone.utc)  # the Sunday before
WORK_HOURS = (WeeklyInterval(0, time(9), time(13)), WeeklyInterval(0, time(14), time(18)))


def make_settings(**changes: object) -> TypeSettings:
    values: dict[str, object] = {
        "id": 1, "prices": {30: Decimal("80.00"), 60: Decimal("150.00")}, "currency": "SAR",
    }
    values.update(changes)
    return TypeSettings(**values)  # type: ignore[arg-type]


def make_schedule(**changes: object) -> CoachSchedule:
    values: dict[str, object] = {"timezone": ZONE, "weekly": WORK_HOURS}
    values.update(changes)
    return CoachSchedule(**values)  # type: ignore[arg-type]


def local(day: date, hhmm: str) -> datetime:
    """A coach-local wall time as an aware datetime."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=ZoneInfo(ZONE))


def booking(day: date, hhmm: str, minutes: int, **changes: object) -> BusyInterval:
    """An existing booking at a coach-local time, stored in UTC like the database does."""
    start = local(day, hhmm).astimezone(timezone.utc)
    end = start + timedelta(minutes=minutes)
    values: dict[str, object] = {"starts_at": start, "ends_at": end, "consultation_type_id": 1,
                                 "core_starts_at": start, "core_ends_at": end}
    values.update(changes)
    return BusyInterval(**values)  # type: ignore[arg-type]


def times(schedule: CoachSchedule | None = None, settings: TypeSettings | None = None,
          duration: int = 60, day: date = MONDAY, end: date | None = None,
          now: datetime = NOW, viewer: str = ZONE) -> list[BookableTime]:
    return bookable_times(schedule or make_schedule(), settings or make_settings(), duration,
                          day, end or day, viewer, now)


def starts(result: list[BookableTime]) -> list[str]:
    return [t.starts_at.strftime("%H:%M") for t in result]


def grid(first: str, last: str, step: int = 15) -> list[str]:
    """Wall times first..last inclusive every ``step`` minutes."""
    current, stop = datetime.strptime(first, "%H:%M"), datetime.strptime(last, "%H:%M")
    out = []
    while current <= stop:
        out.append(current.strftime("%H:%M"))
        current += timedelta(minutes=step)
    return out


# --------------------------------------------------------------------------- weekly hours


def test_weekly_hours_offer_grid_starts_and_the_break_is_a_gap() -> None:
    result = times()
    assert starts(result) == grid("09:00", "12:00") + grid("14:00", "17:00")
    first = result[0]
    assert first.ends_at - first.starts_at == timedelta(minutes=60)
    assert (first.price, first.currency, first.remaining, first.slot_id) == (
        Decimal("150.00"), "SAR", 1, None)
    assert first.starts_at.utcoffset() == timedelta(hours=3)


def test_price_follows_the_chosen_duration() -> None:
    result = times(duration=30)
    assert {t.price for t in result} == {Decimal("80.00")}
    assert starts(result)[-1] == "17:30"


def test_a_day_without_weekly_hours_offers_nothing() -> None:
    assert times(day=TUESDAY) == []


def test_hours_restricted_to_other_types_do_not_apply() -> None:
    weekly = (WeeklyInterval(0, time(9), time(11), frozenset({2})),
              WeeklyInterval(0, time(15), time(17), frozenset({1, 2})))
    assert starts(times(make_schedule(weekly=weekly))) == grid("15:00", "16:00")


def test_overlapping_and_touching_intervals_form_one_window() -> None:
    weekly = (WeeklyInterval(0, time(9), time(10)), WeeklyInterval(0, time(10), time(11)))
    assert starts(times(make_schedule(weekly=weekly))) == grid("09:00", "10:00")


def test_hours_until_midnight_are_written_as_end_00_00() -> None:
    schedule = make_schedule(weekly=(WeeklyInterval(0, time(22), time(0)),))
    assert starts(times(schedule)) == grid("22:00", "23:00")


def test_window_shorter_than_duration_offers_nothing() -> None:
    schedule = make_schedule(weekly=(WeeklyInterval(0, time(9), time(9, 45)),))
    assert times(schedule) == []


@pytest.mark.parametrize("step", [5, 10, 15, 30, 60])
def test_starts_follow_the_step_grid_from_local_midnight(step: int) -> None:
    schedule = make_schedule(weekly=(WeeklyInterval(0, time(9, 7), time(11)),))
    result = starts(times(schedule, make_settings(step_minutes=step)))
    first = {5: "09:10", 10: "09:10", 15: "09:15", 30: "09:30", 60: "10:00"}[step]
    assert result == grid(first, "10:00", step)


# --------------------------------------------------------------------------- overrides


def test_blocked_date_offers_nothing_and_other_weeks_are_untouched() -> None:
    schedule = make_schedule(overrides=(DateOverride(MONDAY, True, reason="holiday"),))
    assert times(schedule) == []
    assert len(times(schedule, day=MONDAY + timedelta(days=7))) == 26


def test_custom_hours_replace_the_weekly_hours_for_that_date() -> None:
    override = DateOverride(MONDAY, False, ((time(7), time(8, 30)), (time(20), time(21))))
    schedule = make_schedule(overrides=(override,))
    assert starts(times(schedule)) == grid("07:00", "07:30") + ["20:00"]


def test_custom_hours_can_open_a_day_without_weekly_hours() -> None:
    override = DateOverride(TUESDAY, False, ((time(10), time(11)),))
    assert starts(times(make_schedule(overrides=(override,)), day=TUESDAY)) == ["10:00"]


def test_blocked_date_also_closes_explicit_slots() -> None:
    schedule = make_schedule(overrides=(DateOverride(MONDAY, True),),
                             slots=(SlotWindow(7, MONDAY, time(19), time(20), 1, 0),))
    assert times(schedule) == []


# --------------------------------------------------------------------------- explicit slots


def slot_times(*slots: SlotWindow, busy: tuple[BusyInterval, ...] = (),
               settings: TypeSettings | None = None) -> list[BookableTime]:
    return times(make_schedule(weekly=(), slots=slots, busy=busy), settings)


def test_slot_offers_one_time_at_its_start_with_seats_left() -> None:
    [offer] = slot_times(SlotWindow(7, MONDAY, time(19), time(20, 30), capacity=4, booked=1))
    assert (offer.starts_at, offer.ends_at) == (local(MONDAY, "19:00"), local(MONDAY, "20:00"))
    assert (offer.remaining, offer.slot_id, offer.price) == (3, 7, Decimal("150.00"))


@pytest.mark.parametrize("slot", [
    SlotWindow(7, MONDAY, time(19), time(20), capacity=2, booked=2),  # full
    SlotWindow(7, MONDAY, time(19), time(20), capacity=2, booked=0, active=False),
    SlotWindow(7, MONDAY, time(19), time(20), capacity=2, booked=0, consultation_type_id=2),
    SlotWindow(7, MONDAY, time(19), time(19, 45), capacity=2, booked=0),  # too short
], ids=["full", "inactive", "other-type", "too-short"])
def test_slot_not_offered(slot: SlotWindow) -> None:
    assert slot_times(slot) == []


def test_slot_for_any_type_or_this_type_is_offered() -> None:
    result = slot_times(SlotWindow(7, MONDAY, time(19), time(20), 1, 0, None),
                        SlotWindow(8, MONDAY, time(21), time(22), 1, 0, 1))
    assert [(t.slot_id, t.starts_at.hour) for t in result] == [(7, 19), (8, 21)]


def test_bookings_in_the_slot_are_seats_but_other_bookings_block_it() -> None:
    slot = SlotWindow(7, MONDAY, time(19), time(20), capacity=3, booked=1)
    own = booking(MONDAY, "19:00", 60, slot_id=7)
    assert [t.remaining for t in slot_times(slot, busy=(own,))] == [2]
    other = booking(MONDAY, "19:30", 60, slot_id=None)
    assert slot_times(slot, busy=(own, other)) == []
    other_slot = booking(MONDAY, "19:30", 60, slot_id=9)
    assert slot_times(slot, busy=(other_slot,)) == []


def test_slot_respects_buffers_against_other_bookings() -> None:
    slot = SlotWindow(7, MONDAY, time(19), time(20), capacity=1, booked=0)
    earlier = booking(MONDAY, "18:00", 50)  # ends 18:50
    assert len(slot_times(slot, busy=(earlier,))) == 1
    assert slot_times(slot, busy=(earlier,), settings=make_settings(buffer_before_minutes=15)) == []


def test_slot_and_weekly_hours_at_the_same_instant_give_one_offer_from_the_slot() -> None:
    schedule = make_schedule(slots=(SlotWindow(7, MONDAY, time(10), time(11), 5, 2),))
    result = times(schedule)
    at_ten = [t for t in result if t.starts_at == local(MONDAY, "10:00")]
    assert [(t.slot_id, t.remaining) for t in at_ten] == [(7, 3)]
    assert len(result) == 26


# --------------------------------------------------------------------------- conflicts


def test_booking_blocks_overlapping_starts_and_touching_is_fine() -> None:
    schedule = make_schedule(busy=(booking(MONDAY, "10:00", 60),))
    result = starts(times(schedule))
    assert "09:00" in result and "11:00" in result
    assert not {"09:15", "09:30", "09:45", "10:00", "10:15", "10:45"} & set(result)


def test_overlapping_and_nested_bookings_block_their_whole_union() -> None:
    busy = (booking(MONDAY, "09:00", 180), booking(MONDAY, "10:00", 30),
            booking(MONDAY, "11:30", 15))
    assert [s for s in starts(times(make_schedule(busy=busy))) if s < "13:00"] == ["12:00"]


def test_buffers_widen_the_new_booking() -> None:
    schedule = make_schedule(busy=(booking(MONDAY, "10:00", 60),))
    result = starts(times(schedule, make_settings(buffer_before_minutes=15,
                                                  buffer_after_minutes=30)))
    assert [s for s in result if s < "13:00"] == ["11:15", "11:30", "11:45", "12:00"]


def test_an_existing_bookings_own_buffers_are_already_in_its_busy_interval() -> None:
    widened = booking(MONDAY, "09:45", 90)  # a 10:00-11:00 booking with 15-minute buffers
    result = starts(times(make_schedule(busy=(widened,))))
    assert [s for s in result if s < "13:00"] == ["11:15", "11:30", "11:45", "12:00"]


def test_bookings_of_any_type_block_a_one_to_one_time() -> None:
    schedule = make_schedule(busy=(booking(MONDAY, "09:00", 240, consultation_type_id=None),))
    assert starts(times(schedule)) == grid("14:00", "17:00")


# --------------------------------------------------------------------------- notice, horizon


def test_never_a_past_time() -> None:
    now = local(MONDAY, "11:05").astimezone(timezone.utc)
    assert starts(times(now=now))[0] == "11:15"


def test_min_notice_pushes_the_first_start() -> None:
    now = local(MONDAY, "09:07").astimezone(timezone.utc)
    result = starts(times(settings=make_settings(min_notice_minutes=60), now=now))
    assert result[0] == "10:15"


def test_min_notice_boundary_is_inclusive() -> None:
    now = local(MONDAY, "09:00").astimezone(timezone.utc)
    result = starts(times(settings=make_settings(min_notice_minutes=60), now=now))
    assert result[0] == "10:00"


def test_horizon_ends_offers_exactly_horizon_days_after_now() -> None:
    schedule = make_schedule(weekly=(WeeklyInterval(0, time(9), time(13)),
                                     WeeklyInterval(1, time(9), time(13))))
    now = local(MONDAY, "10:00").astimezone(timezone.utc)
    result = times(schedule, make_settings(horizon_days=1), day=MONDAY, end=TUESDAY, now=now)
    tuesday = [t for t in result if t.starts_at.date() == TUESDAY]
    assert starts(tuesday) == ["09:00", "09:15", "09:30", "09:45", "10:00"]


# --------------------------------------------------------------------------- per-day limit


def test_max_bookings_per_day_closes_the_date_for_slots_and_weekly_hours() -> None:
    busy = (booking(MONDAY, "09:00", 60), booking(MONDAY, "16:00", 60))
    slot = SlotWindow(7, MONDAY, time(19), time(20), 1, 0)
    schedule = make_schedule(busy=busy, slots=(slot,))
    assert times(schedule, make_settings(max_bookings_per_day=2)) == []
    limited = times(schedule, make_settings(max_bookings_per_day=3))
    assert 7 in {t.slot_id for t in limited} and len(limited) > 10


def test_max_per_day_counts_only_this_type_on_the_coach_local_date() -> None:
    busy = (booking(MONDAY, "09:00", 60, consultation_type_id=2),
            booking(MONDAY + timedelta(days=7), "09:00", 60))
    assert times(make_schedule(busy=busy), make_settings(max_bookings_per_day=1)) != []


def test_max_per_day_counts_a_group_session_once() -> None:
    session = (booking(MONDAY, "09:00", 60), booking(MONDAY, "09:00", 60))
    settings = make_settings(capacity=5, max_bookings_per_day=2)
    assert times(make_schedule(busy=session), settings) != []
    another = (*session, booking(MONDAY, "11:00", 60))
    assert times(make_schedule(busy=another), settings) == []


def test_max_per_day_uses_the_core_start_not_the_buffered_one() -> None:
    # Core 00:10 on Tuesday, widened back to 23:40 on Monday: it counts for Tuesday.
    weekly = (WeeklyInterval(0, time(9), time(13)), WeeklyInterval(1, time(9), time(13)))
    core = local(TUESDAY, "00:10").astimezone(timezone.utc)
    busy = (BusyInterval(core - timedelta(minutes=30), core + timedelta(minutes=60), 1,
                         None, core, core + timedelta(minutes=60)),)
    result = times(make_schedule(weekly=weekly, busy=busy),
                   make_settings(max_bookings_per_day=1), day=MONDAY, end=TUESDAY)
    assert {t.starts_at.date() for t in result} == {MONDAY}


# --------------------------------------------------------------------------- group sessions


def group_times(*busy: BusyInterval, capacity: int = 3) -> dict[str, int]:
    result = times(make_schedule(busy=busy), make_settings(capacity=capacity))
    return {t.starts_at.strftime("%H:%M"): t.remaining for t in result}


def test_group_session_can_be_joined_until_full() -> None:
    seats = [booking(MONDAY, "10:00", 60) for _ in range(3)]
    assert group_times()["10:00"] == 3
    offered = group_times(*seats[:2])
    assert offered["10:00"] == 1
    assert "10:15" not in offered and "09:15" not in offered and offered["09:00"] == 3
    assert "10:00" not in group_times(*seats)


@pytest.mark.parametrize("blocker", [
    booking(MONDAY, "10:00", 60, consultation_type_id=2),  # another type
    booking(MONDAY, "10:00", 30),  # same type, another length
    booking(MONDAY, "10:00", 60, core_starts_at=None, core_ends_at=None),  # no core time
    booking(MONDAY, "10:00", 60, slot_id=9),  # a seat of an explicit slot
], ids=["other-type", "other-length", "no-core", "slot-seat"])
def test_group_session_is_blocked_by_a_booking_that_is_not_a_seat(blocker: BusyInterval) -> None:
    assert "10:00" not in group_times(blocker)


def test_one_to_one_type_never_shares_a_time() -> None:
    assert "10:00" not in group_times(booking(MONDAY, "10:00", 60), capacity=1)


# --------------------------------------------------------------------------- viewer zone


def test_viewer_dates_are_the_viewers_calendar_days() -> None:
    # Coach works 01:00-03:00 Riyadh on Tuesday = Monday 18:00-20:00 in New York.
    schedule = make_schedule(weekly=(WeeklyInterval(1, time(1), time(3)),))
    result = times(schedule, day=MONDAY, viewer="America/New_York")
    assert starts(result) == grid("18:00", "19:00")
    assert all(t.starts_at.tzinfo == ZoneInfo("America/New_York") for t in result)
    assert times(schedule, day=TUESDAY, viewer="America/New_York") == []


def test_available_dates_lists_viewer_dates_with_a_bookable_time() -> None:
    full = tuple(booking(MONDAY + timedelta(days=7), start, 240)
                 for start in ("09:00", "14:00"))
    schedule = make_schedule(busy=full,
                             overrides=(DateOverride(MONDAY + timedelta(days=14), True),))
    result = available_dates(schedule, make_settings(), 60, 2026, 6, ZONE, NOW)
    assert result == [date(2026, 6, 1), date(2026, 6, 22), date(2026, 6, 29)]
    for day in result:
        assert times(schedule, day=day) != []


def test_available_dates_stop_at_the_horizon_and_follow_the_viewer_zone() -> None:
    schedule = make_schedule(weekly=(WeeklyInterval(1, time(1), time(3)),))
    result = available_dates(schedule, make_settings(horizon_days=10), 60, 2026, 6,
                             "America/New_York", NOW)
    assert result == [date(2026, 6, 1), date(2026, 6, 8)]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call", [
    lambda: times(make_schedule(timezone="Mars/Olympus")),
    lambda: times(viewer="Not/AZone"),
    lambda: times(viewer=""),
    lambda: times(duration=45),
    lambda: times(settings=make_settings(step_minutes=20)),
    lambda: times(settings=make_settings(buffer_before_minutes=-5)),
    lambda: times(day=TUESDAY, end=MONDAY),
    lambda: times(now=datetime(2026, 5, 31, 12)),  # naive
    lambda: times(make_schedule(weekly=(WeeklyInterval(0, time(13), time(9)),))),
    lambda: times(make_schedule(weekly=(WeeklyInterval(7, time(9), time(13)),))),
    lambda: available_dates(make_schedule(), make_settings(), 60, 2026, 13, ZONE, NOW),
    lambda: available_dates(make_schedule(), make_settings(), 90, 2026, 6, ZONE, NOW),
], ids=["coach-zone", "viewer-zone", "empty-zone", "duration", "step", "negative-buffer",
        "reversed-dates", "naive-now", "reversed-interval", "weekday", "month",
        "dates-duration"])
def test_bad_input_raises_engine_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EngineError):
        call()


def test_engine_error_is_a_value_error_with_a_readable_message() -> None:
    with pytest.raises(ValueError, match="duration 45 min is not offered"):
        times(duration=45)
