"""Property tests: random schedules around DST changes, checked against the rules.

``reference_times`` is a deliberately naive re-statement of the semantics (every grid minute,
every booking, zoneinfo for every conversion); the engine must agree with it exactly. The
other properties are the invariants a customer relies on even where the reference might share
a misunderstanding with the engine.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from bookingadmin.availability.engine import (
    ALLOWED_STEPS,
    BookableTime,
    BusyInterval,
    CoachSchedule,
    DateOverride,
    SlotWindow,
    TypeSettings,
    WeeklyInterval,
    bookable_times,
)

UTC = timezone.utc
COACH_ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Riyadh",
               "Australia/Lord_Howe", "America/Santiago"]
VIEWER_ZONES = ["UTC", "Asia/Riyadh", "America/New_York", "Pacific/Kiritimati"]
# A few days before a 2026 DST change (and one quiet week), so random weeks cross them.
NEAR_CHANGES = [datetime(2026, m, d, tzinfo=UTC) for m, d in
                [(3, 6), (3, 27), (4, 3), (9, 4), (10, 2), (10, 23), (10, 30), (6, 10)]]
DURATIONS = [15, 30, 45, 60, 90]
Scenario = dict[str, Any]  # the keyword arguments of bookable_times, less the viewer
EXAMPLES = hyp_settings(max_examples=100, deadline=None,
                        suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- strategies


def wall_time(minutes: int) -> time:
    return time(0) if minutes >= 1440 else time(minutes // 60, minutes % 60)


@st.composite
def wall_interval(draw: st.DrawFn) -> tuple[time, time]:
    start = draw(st.integers(0, 287)) * 5
    end = min(1440, start + draw(st.integers(1, 144)) * 5)
    return wall_time(start), wall_time(end)


@st.composite
def weekly_interval(draw: st.DrawFn) -> WeeklyInterval:
    start, end = draw(wall_interval())
    types = draw(st.sampled_from([None, None, frozenset({1}), frozenset({2})]))
    return WeeklyInterval(draw(st.integers(0, 6)), start, end, types)


@st.composite
def busy_interval(draw: st.DrawFn, now: datetime, horizon: int,
                  slot_ids: bool) -> BusyInterval:
    # Half of them crowd into two days, so bookings overlap and nest as well as spread out.
    span = draw(st.sampled_from([2, horizon + 2]))
    core_start = now + timedelta(minutes=draw(st.integers(-180, span * 1440)) // 5 * 5)
    core_end = core_start + timedelta(minutes=draw(st.sampled_from(DURATIONS + [20, 120])))
    before, after = (timedelta(minutes=draw(st.sampled_from([0, 0, 10, 15]))) for _ in "ba")
    has_core = draw(st.sampled_from([True, True, True, False]))
    return BusyInterval(
        core_start - before, core_end + after,
        draw(st.sampled_from([1, 1, 2, None])),
        draw(st.sampled_from([None, None, 1, 2])) if slot_ids else None,
        core_start if has_core else None, core_end if has_core else None)


@st.composite
def slot_window(draw: st.DrawFn, index: int, today: date) -> SlotWindow:
    start, end = draw(wall_interval())
    return SlotWindow(index, today + timedelta(days=draw(st.integers(-1, 6))), start, end,
                      draw(st.integers(1, 3)), draw(st.integers(0, 2)),
                      draw(st.sampled_from([None, 1, 2])),
                      draw(st.sampled_from([True, True, False])))


@st.composite
def scenarios(draw: st.DrawFn, *, capacity: tuple[int, ...] = (1, 1, 3),
              slot_busy: bool = True) -> Scenario:
    now = draw(st.sampled_from(NEAR_CHANGES)) + timedelta(seconds=draw(st.integers(0, 86400)))
    horizon = draw(st.integers(0, 6))
    duration = draw(st.sampled_from(DURATIONS))
    settings = TypeSettings(
        id=1, capacity=draw(st.sampled_from(capacity)),
        buffer_before_minutes=draw(st.sampled_from([0, 0, 5, 15, 30])),
        buffer_after_minutes=draw(st.sampled_from([0, 0, 10, 15])),
        min_notice_minutes=draw(st.sampled_from([0, 30, 120])), horizon_days=horizon,
        max_bookings_per_day=draw(st.sampled_from([None, None, 1, 2])),
        step_minutes=draw(st.sampled_from(sorted(ALLOWED_STEPS))),
        prices={duration: Decimal("100.00")})
    today = now.date()
    overrides = tuple(
        DateOverride(today + timedelta(days=draw(st.integers(-1, 6))), draw(st.booleans()),
                     tuple(draw(st.lists(wall_interval(), max_size=2))))
        for _ in range(draw(st.integers(0, 2))))
    schedule = CoachSchedule(
        draw(st.sampled_from(COACH_ZONES)),
        weekly=tuple(draw(st.lists(weekly_interval(), min_size=1, max_size=4))),
        overrides=overrides,
        slots=tuple(draw(slot_window(i, today)) for i in range(1, draw(st.integers(0, 3)) + 1)),
        busy=tuple(draw(st.lists(busy_interval(now, horizon, slot_busy), max_size=6))))
    return {"schedule": schedule, "settings": settings, "duration": duration, "now": now,
            "start_date": today - timedelta(days=2),
            "end_date": today + timedelta(days=horizon + 2)}


def run(scenario: Scenario, viewer: str = "UTC", **changes: object) -> list[BookableTime]:
    args = {**scenario, **changes}
    return bookable_times(args["schedule"], args["settings"], args["duration"],
                          args["start_date"], args["end_date"], viewer, args["now"])


# --------------------------------------------------------------------------- the reference


def to_utc(zone: ZoneInfo, day: date, minutes: int) -> datetime | None:
    """Instant of a wall time (first occurrence), or None inside a DST gap."""
    local = datetime.combine(day, time(0)) + timedelta(minutes=minutes)
    instant = local.replace(tzinfo=zone).astimezone(UTC)
    return instant if instant.astimezone(zone).replace(tzinfo=None) == local else None


def wall_end(zone: ZoneInfo, day: date, minutes: int) -> datetime:
    """First instant at which the wall clock reaches a wall time (the jump, inside a gap)."""
    real = to_utc(zone, day, minutes)
    if real is not None:
        return real
    local = datetime.combine(day, time(0)) + timedelta(minutes=minutes)
    instant = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    while instant.astimezone(zone).replace(tzinfo=None) < local:
        instant += timedelta(seconds=1)
    return instant


def minutes_of(t: time) -> int:
    return 1440 if t == time(0) else t.hour * 60 + t.minute


def merged_windows(schedule: CoachSchedule, type_id: int, day: date) -> list[tuple[int, int]]:
    overrides = [o for o in schedule.overrides if o.day == day]
    if any(o.blocked for o in overrides):
        return []
    if overrides:
        pairs = [p for o in overrides for p in o.intervals]
    else:
        pairs = [(w.start, w.end) for w in schedule.weekly if w.weekday == day.weekday()
                 and (w.consultation_type_ids is None or type_id in w.consultation_type_ids)]
    merged: list[list[int]] = []
    for a, b in sorted((a.hour * 60 + a.minute, minutes_of(b)) for a, b in pairs):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def conflicts(busy: tuple[BusyInterval, ...], start: datetime, end: datetime,
              s: TypeSettings) -> list[BusyInterval]:
    low = start - timedelta(minutes=s.buffer_before_minutes)
    high = end + timedelta(minutes=s.buffer_after_minutes)
    return [b for b in busy if b.starts_at < high and low < b.ends_at]


def day_is_full(schedule: CoachSchedule, s: TypeSettings, day: date) -> bool:
    if s.max_bookings_per_day is None:
        return False
    zone = ZoneInfo(schedule.timezone)
    starts = {b.core_starts_at or b.starts_at for b in schedule.busy
              if b.consultation_type_id == s.id
              and (b.core_starts_at or b.starts_at).astimezone(zone).date() == day}
    return len(starts) >= s.max_bookings_per_day


def reference_times(schedule: CoachSchedule, s: TypeSettings, duration: int, start_date: date,
                    end_date: date, viewer: str, now: datetime
                    ) -> list[tuple[datetime, int, int | None]]:
    """The semantics, one candidate at a time: (UTC start, remaining, slot_id), sorted."""
    zone, view = ZoneInfo(schedule.timezone), ZoneInfo(viewer)
    low = max(datetime.combine(start_date, time(0), tzinfo=view).astimezone(UTC),
              now + timedelta(minutes=s.min_notice_minutes), now)
    high = datetime.combine(end_date + timedelta(days=1), time(0), tzinfo=view).astimezone(UTC)
    last = now + timedelta(days=s.horizon_days)
    length = timedelta(minutes=duration)
    offers: dict[datetime, tuple[int, int | None]] = {}

    def offer(start: datetime, remaining: int, slot_id: int | None) -> None:
        if low <= start < high and start <= last and remaining > 0:
            key = lambda o: (o[1] is not None, o[0], -(o[1] or 0))  # noqa: E731
            offers[start] = max(offers.get(start, (0, None)), (remaining, slot_id), key=key)

    day = start_date - timedelta(days=2)
    while day <= end_date + timedelta(days=2):
        windows = merged_windows(schedule, s.id, day)
        blocked = any(o.blocked for o in schedule.overrides if o.day == day)
        if not blocked and not day_is_full(schedule, s, day):
            for slot in schedule.slots:
                start = to_utc(zone, slot.day, minutes_of(slot.start) % 1440)
                if (slot.day == day and slot.active and slot.consultation_type_id in (None, s.id)
                        and start is not None
                        and wall_end(zone, day, minutes_of(slot.end)) - start >= length
                        and not [b for b in conflicts(schedule.busy, start, start + length, s)
                                 if b.slot_id != slot.id]):
                    offer(start, slot.capacity - slot.booked, slot.id)
            for minute in range(0, 1440, s.step_minutes):
                window = next(((a, b) for a, b in windows if a <= minute < b), None)
                start = to_utc(zone, day, minute)
                if window is None or start is None or \
                        start + length > wall_end(zone, day, window[1]):
                    continue
                blockers = conflicts(schedule.busy, start, start + length, s)
                seats = [b for b in blockers if s.capacity > 1 and b.slot_id is None
                         and b.consultation_type_id == s.id and b.core_starts_at == start
                         and b.core_ends_at == start + length]
                if len(blockers) == len(seats):
                    offer(start, s.capacity - len(seats), None)
        day += timedelta(days=1)
    return [(start, *offers[start]) for start in sorted(offers)]


# --------------------------------------------------------------------------- properties


@EXAMPLES
@given(scenarios(), st.sampled_from(VIEWER_ZONES))
def test_engine_agrees_with_the_naive_reference(scenario: Scenario, viewer: str) -> None:
    result = run(scenario, viewer)
    expected = reference_times(scenario["schedule"], scenario["settings"],
                               scenario["duration"], scenario["start_date"],
                               scenario["end_date"], viewer, scenario["now"])
    assert [(t.starts_at.astimezone(UTC), t.remaining, t.slot_id) for t in result] == expected
    assert all(t.starts_at.tzinfo == ZoneInfo(viewer) for t in result)


@EXAMPLES
@given(scenarios(capacity=(2, 3)), st.data())
def test_engine_agrees_with_the_reference_once_customers_join_sessions(
        scenario: Scenario, data: st.DataObject) -> None:
    offered = [t for t in run(scenario) if t.slot_id is None]
    joined = data.draw(st.lists(st.sampled_from(offered), max_size=4)) if offered else []
    own_buffer = timedelta(minutes=data.draw(st.sampled_from([0, 10])))
    seats = tuple(BusyInterval(t.starts_at - own_buffer, t.ends_at + own_buffer, 1, None,
                               t.starts_at, t.ends_at) for t in joined)
    schedule = scenario["schedule"]
    schedule = CoachSchedule(schedule.timezone, schedule.weekly, schedule.overrides,
                             schedule.slots, schedule.busy + seats)
    result = run(scenario, schedule=schedule)
    expected = reference_times(schedule, scenario["settings"], scenario["duration"],
                               scenario["start_date"], scenario["end_date"], "UTC",
                               scenario["now"])
    assert [(t.starts_at, t.remaining, t.slot_id) for t in result] == expected


@EXAMPLES
@given(scenarios(capacity=(1,), slot_busy=False))
def test_no_offered_time_overlaps_a_busy_interval_with_buffers(scenario: Scenario) -> None:
    s = scenario["settings"]
    for t in run(scenario):
        assert conflicts(scenario["schedule"].busy, t.starts_at, t.ends_at, s) == []
        assert t.starts_at >= scenario["now"] + timedelta(minutes=s.min_notice_minutes)
        assert t.starts_at <= scenario["now"] + timedelta(days=s.horizon_days)


@EXAMPLES
@given(scenarios())
def test_every_offered_time_lies_in_working_hours_or_a_slot(scenario: Scenario) -> None:
    schedule, s = scenario["schedule"], scenario["settings"]
    zone = ZoneInfo(schedule.timezone)
    for t in run(scenario):
        local = t.starts_at.astimezone(zone)
        assert local.fold == 0 and to_utc(zone, local.date(), local.hour * 60 + local.minute)
        if t.slot_id is not None:
            [slot] = [x for x in schedule.slots if x.id == t.slot_id]
            assert slot.active and slot.consultation_type_id in (None, s.id)
            assert (slot.day, slot.start) == (local.date(), local.time())
            assert t.remaining == slot.capacity - slot.booked > 0
            continue
        minute = local.hour * 60 + local.minute
        windows = merged_windows(schedule, s.id, local.date())
        [(_, end)] = [(a, b) for a, b in windows if a <= minute < b]
        assert t.ends_at <= wall_end(zone, local.date(), end)


@EXAMPLES
@given(scenarios(), st.data())
def test_adding_a_booking_never_adds_a_time(scenario: Scenario, data: st.DataObject) -> None:
    schedule = scenario["schedule"]
    extra = data.draw(busy_interval(scenario["now"], scenario["settings"].horizon_days, True))
    before = {t.starts_at for t in run(scenario)}
    more = CoachSchedule(schedule.timezone, schedule.weekly, schedule.overrides,
                         schedule.slots, schedule.busy + (extra,))
    after = {t.starts_at for t in run(scenario, schedule=more)}
    assert after <= before


@EXAMPLES
@given(scenarios())
def test_weekly_hour_starts_are_on_the_coachs_step_grid(scenario: Scenario) -> None:
    zone, step = ZoneInfo(scenario["schedule"].timezone), scenario["settings"].step_minutes
    for t in run(scenario, "Pacific/Kiritimati"):
        if t.slot_id is None:
            local = t.starts_at.astimezone(zone)
            assert (local.hour * 60 + local.minute) % step == 0 and local.second == 0


@EXAMPLES
@given(scenarios())
def test_same_instants_for_every_viewer_zone(scenario: Scenario) -> None:
    results = {viewer: [(t.starts_at.astimezone(UTC), t.ends_at.astimezone(UTC), t.remaining,
                         t.slot_id) for t in run(scenario, viewer)]
               for viewer in VIEWER_ZONES}
    assert len({tuple(r) for r in results.values()}) == 1
