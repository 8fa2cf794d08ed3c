"""Bookable times and open dates (public), and a coach's weekly hours and overrides (their own)."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookingadmin.availability.models import DateOverride, WeeklyHours
from bookingadmin.core.clock import utcnow


@pytest.fixture
def offer(make_coach, make_type):
    coach = make_coach(display_name_en="Sara", timezone="Asia/Riyadh",
                       hours=[(d, "09:00", "17:00") for d in range(7)])
    ctype = make_type(coaches=[coach], options=[(60, "90.00", True), (30, "50.00", False)])
    return coach, ctype


def _day(days_ahead: int) -> date:
    return (utcnow() + timedelta(days=days_ahead)).date()


def test_availability_lists_times_in_the_asked_zone(client, offer, documented):
    coach, ctype = offer
    day = _day(3)
    url = f"/api/v1/coaches/{coach.id}/availability?type={ctype.id}&duration=60&from={day}&tz=Asia/Riyadh"
    body = documented(client.get(url), "Availability")
    times = body["times"]
    assert times and body["timezone"] == "Asia/Riyadh" and body["to"] == day.isoformat()
    assert times[0]["starts_at"] == f"{day}T09:00:00+03:00" and times[-1]["starts_at"] == f"{day}T16:00:00+03:00"
    assert times[0]["price"] == {"amount": "90.00", "currency": "USD"}
    london = client.get(url.replace("Asia/Riyadh", "Europe/London")).get_json()["times"]
    assert london[0]["starts_at"].startswith(f"{day}T0") and london[0]["starts_at"][-6:] in ("+00:00", "+01:00")


def test_available_dates_for_a_month(client, offer, documented):
    coach, ctype = offer
    day = _day(3)
    body = documented(client.get(f"/api/v1/coaches/{coach.id}/available-dates?type={ctype.id}&duration=30"
                                 f"&month={day:%Y-%m}&tz=Asia/Riyadh"), "AvailableDates")
    assert day.isoformat() in body["dates"] and body["month"] == f"{day:%Y-%m}"


@pytest.mark.parametrize("params, status, field", [
    ("type=99999&duration=60&from={day}", 422, "type"),
    ("type={type}&duration=45&from={day}", 422, "duration"),
    ("type={type}&duration=60&from={day}&tz=Mars/Olympus", 400, "tz"),
    ("type={type}&duration=60&from=2026-13-40", 400, "from"),
    ("type={type}&duration=60&from={day}&to=03/04/2026", 400, "to"),
    ("type={type}&duration=sixty&from={day}", 400, "duration"),
    ("duration=60&from={day}", 400, "type"),
    ("type={type}&duration=60&from={day}&to={before}", 422, "to"),
    ("type={type}&duration=60&from={day}&to={far}", 422, "to"),
])
@pytest.mark.parametrize("who", ["coach", "any"])
def test_bad_availability_queries_name_the_field(client, offer, params, status, field, who):
    coach, ctype = offer
    day = _day(3)
    query = params.format(type=ctype.id, day=day, before=day - timedelta(days=1), far=day + timedelta(days=200))
    response = client.get(f"/api/v1/coaches/{coach.id if who == 'coach' else 'any'}/availability?{query}")
    assert response.status_code == status, response.get_json()
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("month", ["2026-13", "2026-3", "March"])
def test_malformed_month_is_400(client, offer, month):
    coach, ctype = offer
    response = client.get(f"/api/v1/coaches/{coach.id}/available-dates?type={ctype.id}&duration=60&month={month}")
    assert response.status_code == 400 and "month" in response.get_json()["error"]["fields"]


def test_any_coach_gives_each_time_to_the_best_rated_free_coach(client, offer, make_coach, make_booking,
                                                                  documented):
    """Sara is rated higher; where she is booked the time goes to Omar, and he adds his later hours."""
    sara, ctype = offer
    sara.rating = 4.9
    omar = make_coach(display_name_en="Omar", timezone="Asia/Riyadh", hours=[(d, "12:00", "19:00") for d in range(7)])
    ctype.coaches.append(omar)
    day = _day(3)
    taken = make_booking("confirmed", coach=sara, ctype=ctype, duration=60,
                         starts_at=datetime.combine(day, time(13, 0), tzinfo=ZoneInfo("Asia/Riyadh")))
    url = f"/api/v1/coaches/any/availability?type={ctype.id}&duration=60&from={day}&tz=Asia/Riyadh"
    body = documented(client.get(url), "AnyCoachAvailability")
    who = {t["starts_at"][11:16]: t["coach_id"] for t in body["times"]}
    assert who["09:00"] == sara.id and who["12:00"] == sara.id       # both free: the better rated
    assert who["13:00"] == omar.id and who["18:00"] == omar.id       # Sara booked / Sara gone home
    assert list(who) == sorted(who) and len(who) == len(body["times"])  # one entry per time, in order
    assert body["consultation_type_id"] == ctype.id and body["timezone"] == "Asia/Riyadh"
    assert taken.coach_id == sara.id
    assert "get" in client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/coaches/any/availability"]


def test_unknown_coach_is_404(client, offer):
    _, ctype = offer
    response = client.get(f"/api/v1/coaches/99999/availability?type={ctype.id}&duration=60&from={_day(3)}")
    assert response.status_code == 404


def test_coach_reads_and_replaces_own_rules(api_as, make_coach, make_type, client, documented):
    coach_api, coach_user = api_as("coach", timezone="Asia/Riyadh")
    coach = make_coach(display_name_en="Own", user=coach_user)
    ctype = make_type(coaches=[coach])
    rules = documented(coach_api.get(f"/api/v1/coaches/{coach.id}/availability-rules"), "AvailabilityRules")
    assert len(rules["weekly_hours"]) == 7 and rules["overrides"] == []

    blocked, custom = _day(4), _day(5)
    response = coach_api.put(f"/api/v1/coaches/{coach.id}/availability-rules", json={
        "weekly_hours": [{"weekday": d, "start": "10:00", "end": "12:00"} for d in range(7)],
        "overrides": [{"date": blocked.isoformat(), "reason": "holiday"},
                      {"date": custom.isoformat(), "hours": [{"start": "18:00", "end": "19:00"}]}]})
    assert response.status_code == 200, response.get_json()
    body = documented(response, "AvailabilityRules")
    assert {(w["start"], w["end"]) for w in body["weekly_hours"]} == {("10:00", "12:00")}
    assert [o["blocked"] for o in body["overrides"]] == [True, False]

    def starts(day):
        url = f"/api/v1/coaches/{coach.id}/availability?type={ctype.id}&duration=60&from={day}&tz=Asia/Riyadh"
        return [t["starts_at"][11:16] for t in client.get(url).get_json()["times"]]

    assert starts(blocked) == [] and starts(custom) == ["18:00"] and starts(_day(6))[0] == "10:00"

    # sending only the weekly hours leaves the overrides alone; an empty list of overrides clears them
    coach_api.put(f"/api/v1/coaches/{coach.id}/availability-rules", json={"weekly_hours": []})
    assert len(coach_api.get(f"/api/v1/coaches/{coach.id}/availability-rules").get_json()["overrides"]) == 2
    coach_api.put(f"/api/v1/coaches/{coach.id}/availability-rules", json={"overrides": []})
    assert coach_api.get(f"/api/v1/coaches/{coach.id}/availability-rules").get_json()["overrides"] == []


def test_bad_rules_change_nothing_and_name_the_field(counts, api_as, make_coach):
    coach_api, coach_user = api_as("coach")
    coach = make_coach(user=coach_user)
    before = counts(WeeklyHours, DateOverride)
    url = f"/api/v1/coaches/{coach.id}/availability-rules"
    cases = [
        ({"weekly_hours": [{"weekday": 1, "start": "09:00", "end": "12:00"},
                           {"weekday": 1, "start": "13:00", "end": "12:00"}]}, 422, "weekly_hours[1]"),
        ({"weekly_hours": [{"weekday": 9, "start": "09:00", "end": "12:00"}]}, 400, "weekly_hours[0].weekday"),
        ({"weekly_hours": [{"weekday": 1, "start": "9am", "end": "12:00"}]}, 400, "weekly_hours[0].start"),
        ({"overrides": [{"date": "2020-01-01"}]}, 422, "overrides[0].date"),
        ({"overrides": [{"date": _day(3).isoformat()}, {"date": _day(3).isoformat()}]}, 400, "overrides[1].date"),
        ({"weekly_hours": [], "overrides": [{"date": _day(3).isoformat(),
                                             "hours": [{"start": "12:00", "end": "11:00"}]}]}, 422,
         "overrides[0].hours[0]"),
        ({}, 400, "body"),
        ({"hours": []}, 400, "hours"),
    ]
    for payload, status, field in cases:
        response = coach_api.put(url, json=payload)
        assert response.status_code == status, (payload, response.get_json())
        assert field in response.get_json()["error"]["fields"], (payload, response.get_json())
        assert counts(WeeklyHours, DateOverride) == before


def test_rules_belong_to_their_coach(counts, api_as, make_coach, api):
    other = make_coach(display_name_en="Other")
    coach_api, coach_user = api_as("coach")
    make_coach(display_name_en="Mine", user=coach_user)
    url = f"/api/v1/coaches/{other.id}/availability-rules"
    assert coach_api.get(url).status_code == 403
    assert coach_api.put(url, json={"weekly_hours": []}).status_code == 403
    assert counts(WeeklyHours)["weekly_hours"] == 14
    customer_api, _ = api_as("customer")
    assert customer_api.get(url).status_code == 403
    assert api.get(url).status_code == 401
    admin_api, _ = api_as("admin")
    assert admin_api.get(url).status_code == 200
    assert admin_api.put(url, json={"weekly_hours": []}).status_code == 200


def test_hours_may_end_at_24_00(api_as, make_coach, make_type, client, documented):
    coach_api, coach_user = api_as("coach", timezone="Asia/Riyadh")
    coach = make_coach(user=coach_user, timezone="Asia/Riyadh", hours=[])
    ctype = make_type(coaches=[coach])
    custom = _day(5)
    response = coach_api.put(f"/api/v1/coaches/{coach.id}/availability-rules", json={
        "weekly_hours": [{"weekday": d, "start": "20:00", "end": "24:00"} for d in range(7)],
        "overrides": [{"date": custom.isoformat(), "hours": [{"start": "22:00", "end": "24:00"}]}]})
    assert response.status_code == 200, response.get_json()
    body = documented(response, "AvailabilityRules")
    assert {(w["start"], w["end"]) for w in body["weekly_hours"]} == {("20:00", "24:00")}
    assert body["overrides"][0]["hours"] == [{"start": "22:00", "end": "24:00"}]

    def starts(day):
        url = f"/api/v1/coaches/{coach.id}/availability?type={ctype.id}&duration=60&from={day}&tz=Asia/Riyadh"
        return [t["starts_at"][11:16] for t in client.get(url).get_json()["times"]]

    assert starts(_day(6))[-1] == "23:00" and starts(custom)[0] == "22:00" and starts(custom)[-1] == "23:00"
    refused = coach_api.put(f"/api/v1/coaches/{coach.id}/availability-rules",
                            json={"weekly_hours": [{"weekday": 1, "start": "24:00", "end": "24:00"}]})
    assert refused.status_code == 400 and "weekly_hours[0].start" in refused.get_json()["error"]["fields"]


def test_blocking_dates_lists_the_bookings_left_on_them(api_as, make_coach, make_type, make_booking, documented):
    coach_api, coach_user = api_as("coach", timezone="Asia/Riyadh")
    coach = make_coach(user=coach_user, timezone="Asia/Riyadh", hours=[(d, "09:00", "17:00") for d in range(7)])
    ctype = make_type(coaches=[coach])
    zone = ZoneInfo("Asia/Riyadh")
    on_blocked = make_booking("confirmed", coach=coach, ctype=ctype,
                              starts_at=datetime.combine(_day(8), time(10), tzinfo=zone))
    make_booking("confirmed", coach=coach, ctype=ctype, starts_at=datetime.combine(_day(9), time(10), tzinfo=zone))
    response = coach_api.put(f"/api/v1/coaches/{coach.id}/availability-rules", json={
        "overrides": [{"date": _day(8).isoformat(), "reason": "leave"},
                      {"date": _day(9).isoformat(), "hours": [{"start": "09:00", "end": "12:00"}]}]})
    assert response.status_code == 200, response.get_json()
    body = documented(response, "AvailabilityRules")
    assert [(b["id"], b["number"]) for b in body["bookings_on_blocked_dates"]] == [(on_blocked.id, on_blocked.number)]
    assert body["bookings_on_blocked_dates"][0]["starts_at"].startswith(f"{_day(8).isoformat()}T10:00:00+03:00")
