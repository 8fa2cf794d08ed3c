"""Coaches and admins editing availability: validation, permissions, slot rules, history."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from bookingadmin.availability import services
from bookingadmin.availability.engine import WeeklyInterval
from bookingadmin.availability.models import AvailabilityChange, DateOverride, Slot, WeeklyHours
from bookingadmin.core.errors import Conflict, DomainError, PermissionDenied
from bookingadmin.extensions import db

NOW = datetime(2027, 3, 20, 12, 0, tzinfo=timezone.utc)
SATURDAY = date(2027, 3, 27)


@pytest.fixture
def ctype(add_type):
    return add_type()


@pytest.fixture
def coach(add_coach, ctype):
    return add_coach("Europe/London", types=[ctype])


def slot(coach, start="10:00", end="11:00", day=SATURDAY, **kw) -> Slot:
    return services.create_slot(coach.id, day=day, start_time=time.fromisoformat(start),
                                end_time=time.fromisoformat(end), actor=kw.pop("actor", None), now=NOW, **kw)


def field_of(error: pytest.ExceptionInfo) -> str:
    [name] = error.value.fields
    return name


# --------------------------------------------------------------------------- weekly hours


def test_weekly_hours_are_replaced_as_a_whole_and_recorded(coach, ctype):
    services.replace_weekly_hours(coach.id, [WeeklyInterval(0, time(14), time(18)), WeeklyInterval(0, time(9), time(13)),
                                             WeeklyInterval(2, time(9), time(12), frozenset({ctype.id}))],
                                  actor=coach.user, now=NOW)
    services.replace_weekly_hours(coach.id, [WeeklyInterval(0, time(9), time(12)), WeeklyInterval(0, time(12), time(13))],
                                  actor=coach.user, now=NOW)
    db.session.commit()
    rows = db.session.scalars(db.select(WeeklyHours).order_by(WeeklyHours.start_time)).all()
    assert [(r.weekday, r.start_time, r.end_time) for r in rows] == [(0, time(9), time(12)), (0, time(12), time(13))]
    history = db.session.scalars(db.select(AvailabilityChange).order_by(AvailabilityChange.id)).all()
    assert [h.action for h in history] == ["weekly_hours_replaced"] * 2
    assert history[0].actor_id == coach.user_id and history[0].data["intervals"][2][3] == [ctype.id]


@pytest.mark.parametrize("intervals, words", [
    ([WeeklyInterval(0, time(9), time(12)), WeeklyInterval(0, time(11), time(13))], "overlaps"),
    ([WeeklyInterval(1, time(12), time(9))], "must be after"),
    ([WeeklyInterval(7, time(9), time(10))], "weekday"),
    ([WeeklyInterval(1, time(9), time(10), frozenset({999}))], "does not offer"),
])
def test_bad_weekly_hours_are_refused_and_change_nothing(coach, intervals, words):
    services.replace_weekly_hours(coach.id, [WeeklyInterval(4, time(9), time(10))], actor=None, now=NOW)
    db.session.commit()
    with pytest.raises(DomainError, match=words) as error:
        services.replace_weekly_hours(coach.id, intervals, actor=None, now=NOW)
    assert field_of(error).startswith("intervals[")
    db.session.rollback()
    assert db.session.scalars(db.select(WeeklyHours.weekday)).all() == [4]


def test_coaches_edit_only_their_own_availability_and_admins_everyone(coach, add_coach, make_user, ctype):
    other = add_coach("Asia/Riyadh", types=[ctype])
    with pytest.raises(PermissionDenied):
        slot(other, actor=coach.user)
    with pytest.raises(PermissionDenied):
        services.block_dates(other.id, SATURDAY, SATURDAY, "", actor=coach.user, now=NOW)
    for role in ("customer", "support"):
        with pytest.raises(PermissionDenied):
            services.replace_weekly_hours(coach.id, [], actor=make_user(role=role), now=NOW)
    admin = make_user(role="admin")
    assert services.can_manage_availability(admin, other) and not services.can_manage_availability(coach.user, other)
    assert slot(other, actor=admin).coach_id == other.id
    assert slot(coach, actor=coach.user).coach_id == coach.id
    with pytest.raises(PermissionDenied):
        services.list_slots(other.id, SATURDAY, SATURDAY, actor=coach.user, now=NOW)


# --------------------------------------------------------------------------- overrides


def test_overrides_refuse_past_dates_and_bad_hours(coach):
    with pytest.raises(DomainError) as past:
        services.set_date_override(coach.id, date(2027, 3, 19), [], actor=None, now=NOW)
    assert field_of(past) == "day"
    with pytest.raises(DomainError) as backwards:
        services.set_date_override(coach.id, SATURDAY, [(time(12), time(9))], actor=None, now=NOW)
    assert field_of(backwards) == "hours[0]"
    with pytest.raises(DomainError) as long_range:
        services.block_dates(coach.id, SATURDAY, SATURDAY + timedelta(days=400), "", actor=None, now=NOW)
    assert field_of(long_range) == "end"


def test_an_override_replaces_the_previous_one_for_that_date(coach):
    services.set_date_override(coach.id, SATURDAY, [(time(9), time(10)), (time(11), time(12))], actor=None, now=NOW)
    services.block_dates(coach.id, SATURDAY, SATURDAY + timedelta(days=1), "conference", actor=None, now=NOW)
    db.session.commit()
    rows = db.session.scalars(db.select(DateOverride).order_by(DateOverride.day)).all()
    assert [(r.day, r.blocked, r.reason) for r in rows] == [(SATURDAY, True, "conference"),
                                                           (SATURDAY + timedelta(days=1), True, "conference")]
    assert services.clear_date_override(coach.id, SATURDAY, actor=None, now=NOW) == 1


# --------------------------------------------------------------------------- slots


def test_slots_may_not_overlap_or_start_in_a_dst_gap(coach):
    slot(coach, "10:00", "11:00")
    assert slot(coach, "11:00", "12:00")  # touching is fine
    with pytest.raises(DomainError, match="overlaps the slot 10:00-11:00") as overlap:
        slot(coach, "10:30", "11:30")
    assert field_of(overlap) == "start_time"
    with pytest.raises(DomainError, match="does not exist"):
        slot(coach, "01:30", "02:30", day=date(2027, 3, 28))
    with pytest.raises(DomainError) as seats:
        slot(coach, "13:00", "14:00", capacity=0)
    assert field_of(seats) == "capacity"
    with pytest.raises(DomainError) as backwards:
        slot(coach, "15:00", "14:00")
    assert field_of(backwards) == "end_time"


def test_a_booked_slot_keeps_its_time_but_can_be_closed(coach, ctype, book):
    booked = slot(coach, "10:00", "11:00", capacity=2)
    free = slot(coach, "12:00", "13:00")
    db.session.commit()
    book(coach, ctype, datetime(2027, 3, 27, 10, tzinfo=timezone.utc), slot_id=booked.id)
    with pytest.raises(Conflict) as moved:
        services.update_slot(booked.id, start_time=time(9), actor=None, now=NOW)
    assert moved.value.code == "slot_booked" and field_of(moved) == "start_time"
    services.update_slot(booked.id, is_active=False, actor=None, now=NOW)
    services.update_slot(free.id, start_time=time(12, 30), end_time=time(13, 30), actor=None, now=NOW)
    with pytest.raises(DomainError, match="overlaps"):
        services.update_slot(free.id, start_time=time(10, 30), end_time=time(11, 30), actor=None, now=NOW)
    db.session.commit()
    assert (booked.is_active, booked.capacity, free.start_time) == (False, 2, time(12, 30))
    assert [c.action for c in db.session.scalars(db.select(AvailabilityChange))].count("slot_updated") == 2


def test_deleting_a_slot_anyone_booked_is_refused(coach, ctype, book):
    cancelled = slot(coach, "10:00", "11:00")
    unbooked = slot(coach, "12:00", "13:00")
    db.session.commit()
    book(coach, ctype, datetime(2027, 3, 27, 10, tzinfo=timezone.utc), slot_id=cancelled.id, status="cancelled")
    with pytest.raises(Conflict, match="1 booking"):
        services.delete_slot(cancelled.id, actor=None, now=NOW)
    services.delete_slot(unbooked.id, actor=None, now=NOW)
    db.session.commit()
    assert db.session.scalars(db.select(Slot.id)).all() == [cancelled.id]
    # once cancelled, its time may move again (nobody holds that time any more)
    services.update_slot(cancelled.id, start_time=time(9), actor=None, now=NOW)


def test_slots_in_bulk_skip_overlapping_and_blocked_dates(coach, ctype):
    slot(coach, "09:30", "10:30", day=date(2027, 3, 29))  # Monday
    services.block_dates(coach.id, date(2027, 4, 5), date(2027, 4, 5), "bank holiday", actor=None, now=NOW)
    result = services.create_slots_in_bulk(coach.id, weekdays=[0, 2], start_date=date(2027, 3, 22),
                                           end_date=date(2027, 4, 7), start_time=time(10), end_time=time(11),
                                           capacity=4, consultation_type_id=ctype.id, actor=coach.user, now=NOW)
    db.session.commit()
    assert [s.day for s in result.created] == [date(2027, 3, 22), date(2027, 3, 24), date(2027, 3, 31),
                                              date(2027, 4, 7)]
    assert result.created_count == 4 and {s.capacity for s in result.created} == {4}
    assert result.skipped == {date(2027, 3, 29): "overlaps the slot 09:30-10:30 on 2027-03-29",
                              date(2027, 4, 5): "blocked (bank holiday)"}
    assert db.session.scalar(db.select(db.func.count()).select_from(Slot)) == 5
    with pytest.raises(DomainError) as no_days:
        services.create_slots_in_bulk(coach.id, weekdays=[6], start_date=date(2027, 3, 22),
                                      end_date=date(2027, 3, 26), start_time=time(10), end_time=time(11),
                                      actor=None, now=NOW)
    assert field_of(no_days) == "weekdays"
    with pytest.raises(DomainError) as not_offered:
        services.create_slots_in_bulk(coach.id, weekdays=[1], start_date=date(2027, 3, 22),
                                      end_date=date(2027, 3, 26), start_time=time(10), end_time=time(11),
                                      consultation_type_id=999, actor=None, now=NOW)
    assert field_of(not_offered) == "consultation_type_id"
