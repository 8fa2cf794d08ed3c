"""Slots: a coach opens, lists, moves, closes and deletes their own; never another coach's."""
from datetime import timedelta

import pytest

from bookingadmin.availability.models import Slot
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db


@pytest.fixture
def coach_api(api_as, make_coach):
    api, user = api_as("coach", timezone="Asia/Riyadh")
    coach = make_coach(display_name_en="Sara", user=user, hours=[])
    return api, coach


def _day(days: int) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


def test_coach_manages_own_slots(counts, coach_api, documented):
    api, coach = coach_api
    created = api.post("/api/v1/slots", json={"date": _day(5), "start_time": "10:00", "end_time": "11:00",
                                              "capacity": 3})
    assert created.status_code == 201, created.get_json()
    slot = documented(created, "Slot")
    assert slot["coach_id"] == coach.id and slot["remaining"] == 3
    assert slot["starts_at"] == f"{_day(5)}T10:00:00+03:00"

    listing = documented(api.get(f"/api/v1/slots?from={_day(0)}&to={_day(10)}"), "SlotList")
    assert [s["id"] for s in listing["items"]] == [slot["id"]]

    moved = api.patch(f"/api/v1/slots/{slot['id']}", json={"start_time": "10:30", "end_time": "11:30"})
    assert moved.status_code == 200 and moved.get_json()["start_time"] == "10:30"
    closed = api.patch(f"/api/v1/slots/{slot['id']}", json={"is_active": False})
    assert closed.get_json()["is_active"] is False and closed.get_json()["start_time"] == "10:30"

    assert api.delete(f"/api/v1/slots/{slot['id']}").status_code == 204
    assert counts(Slot)["slots"] == 0


def test_coach_cannot_touch_another_coachs_slots(counts, coach_api, api_as, make_coach):
    api, _ = coach_api
    other_api, other_user = api_as("coach")
    other = make_coach(display_name_en="Omar", user=other_user, hours=[])
    slot = other_api.post("/api/v1/slots", json={"date": _day(5), "start_time": "10:00",
                                                 "end_time": "11:00"}).get_json()
    assert api.patch(f"/api/v1/slots/{slot['id']}", json={"is_active": False}).status_code == 403
    assert api.delete(f"/api/v1/slots/{slot['id']}").status_code == 403
    assert api.get(f"/api/v1/slots?coach={other.id}").status_code == 403
    assert api.post("/api/v1/slots", json={"coach_id": other.id, "date": _day(6), "start_time": "10:00",
                                           "end_time": "11:00"}).status_code == 403
    db.session.expire_all()
    row = db.session.get(Slot, slot["id"])
    assert row.is_active and counts(Slot)["slots"] == 1


def test_admin_manages_any_coachs_slots_and_customers_none(coach_api, api_as):
    _, coach = coach_api
    admin, _ = api_as("admin")
    created = admin.post("/api/v1/slots", json={"coach_id": coach.id, "date": _day(5), "start_time": "10:00",
                                                "end_time": "11:00"})
    assert created.status_code == 201
    assert len(admin.get(f"/api/v1/slots?coach={coach.id}").get_json()["items"]) == 1
    assert admin.get("/api/v1/slots").status_code == 400  # an admin without a coach profile must say which
    customer, _ = api_as("customer")
    assert customer.get(f"/api/v1/slots?coach={coach.id}").status_code == 403
    assert customer.delete(f"/api/v1/slots/{created.get_json()['id']}").status_code == 403


@pytest.mark.parametrize("payload, status, field", [
    ({"date": "05/03/2026", "start_time": "10:00", "end_time": "11:00"}, 400, "date"),
    ({"date": "{day}", "start_time": "25:00", "end_time": "11:00"}, 400, "start_time"),
    ({"date": "{day}", "start_time": "11:00", "end_time": "10:00"}, 422, "end_time"),
    ({"date": "2020-01-01", "start_time": "10:00", "end_time": "11:00"}, 422, "date"),
    ({"date": "{day}", "start_time": "10:00", "end_time": "11:00", "capacity": 0}, 400, "capacity"),
    ({"date": "{day}", "start_time": "10:00", "end_time": "11:00", "price": "1.00"}, 400, "price"),
    ({"date": "{day}", "start_time": "10:00"}, 400, "end_time"),
])
def test_bad_slot_input_names_the_field_and_writes_nothing(counts, coach_api, payload, status, field):
    api, _ = coach_api
    payload = {k: (v.format(day=_day(5)) if isinstance(v, str) else v) for k, v in payload.items()}
    response = api.post("/api/v1/slots", json=payload)
    assert response.status_code == status, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert counts(Slot)["slots"] == 0


def test_unknown_slot_is_404(coach_api):
    api, _ = coach_api
    assert api.patch("/api/v1/slots/99999", json={"is_active": False}).status_code == 404
    assert api.delete("/api/v1/slots/99999").status_code == 404


def test_slot_list_range_is_limited(coach_api):
    api, _ = coach_api
    response = api.get(f"/api/v1/slots?from={_day(0)}&to={_day(200)}")
    assert response.status_code == 400 and "to" in response.get_json()["error"]["fields"]
