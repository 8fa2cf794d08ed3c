"""The OpenAPI document is exactly as strict as the server: for each probe value, the documented
schema (pattern, bounds, lengths, type) accepts it exactly when the server does. `servers` is the
configured APP_BASE_URL, whatever Host the request names."""
from __future__ import annotations

import re

import pytest

from bookingadmin.core.validation import MAX_DB_INT

NOPE = "CB-20300101-NOPE"


def accepts(schema: dict, value) -> bool:
    """The JSON Schema keywords the document uses for inputs (type, enum, pattern, bounds, lengths)."""
    if "anyOf" in schema:
        return any(accepts(option, value) for option in schema["anyOf"])
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        python = {"string": str, "integer": int, "boolean": bool, "null": type(None), "object": dict,
                  "array": list, "number": (int, float)}
        if not any(isinstance(value, python[t]) and not (t in ("integer", "number") and isinstance(value, bool))
                   for t in types):
            return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if isinstance(value, str):
        if "pattern" in schema and re.search(schema["pattern"].replace("$", r"\Z"), value) is None:
            return False
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            return False
    if isinstance(value, int) and not isinstance(value, bool):
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            return False
    return True


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def _query_param(document, path: str, name: str) -> dict:
    return next(p["schema"] for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)


def _body_field(document, schema: str, name: str) -> dict:
    return document["components"]["schemas"][schema]["properties"][name]


def _refused(response, field: str) -> bool:
    body = response.get_json() or {}
    return response.status_code == 400 and field in body.get("error", {}).get("fields", {})


MONTHS = ["2026-03", "2026-12", "2026-13", "2026-00", "0000-05", "0001-01", "2026-3", "26-03", "2026-03-01",
          "\u0662\u0660\u0662\u0666-\u0660\u0663", "2026/03", " 2026-03", "2026-03\n"]


@pytest.mark.parametrize("month", MONTHS)
def test_months_are_documented_as_the_server_reads_them(client, document, month):
    schema = _query_param(document, "/api/v1/coaches/{coach_id}/available-dates", "month")
    response = client.get("/api/v1/coaches/1/available-dates", query_string={"type": 1, "duration": 60, "month": month})
    assert accepts(schema, month) == (not _refused(response, "month")), (month, response.get_json())


CLOCKS = ["09:30", "00:00", "23:59", "24:00", "23:60", "9:30", "09:30:59", "09:30:60", "0930", "09:3", "25:00", " 09:30", "09:30\n"]


@pytest.mark.parametrize("clock", CLOCKS)
def test_clock_times_are_documented_as_the_server_reads_them(api_as, document, clock):
    api, _ = api_as("admin")
    schema = _body_field(document, "SlotInput", "start_time")
    response = api.post("/api/v1/slots", json={"coach_id": 1, "date": "2030-03-01", "start_time": clock,
                                               "end_time": "23:59"})
    assert accepts(schema, clock) == (not _refused(response, "start_time")), (clock, response.get_json())
    hours = document["components"]["schemas"]["Hours"]["properties"]["start"]
    assert accepts(hours, clock) == accepts(schema, clock)


@pytest.mark.parametrize("rating", [0, 1, 3, 5, 6, -1, 4.5, "5", True, None])
def test_ratings_are_whole_numbers_from_1_to_5(api_as, document, rating):
    api, _ = api_as("customer")
    schema = _body_field(document, "FeedbackInput", "rating")
    response = api.post(f"/api/v1/bookings/{NOPE}/feedback", json={"rating": rating})
    assert accepts(schema, rating) == (not _refused(response, "rating")), (rating, response.get_json())
    if accepts(schema, rating):
        assert response.status_code == 404  # read fine, then no such booking
    booking = document["components"]["schemas"]["Booking"]["properties"]["feedback"]["anyOf"][1]
    assert booking["properties"]["rating"] == {"type": "integer", "minimum": 1, "maximum": 5}


@pytest.mark.parametrize("number", [0, 1, MAX_DB_INT, MAX_DB_INT + 1, 10**20, -1])
def test_ids_in_paths_and_bodies_are_documented_within_the_database_range(client, api_as, document, number):
    path_schema = next(p["schema"] for p in document["paths"]["/api/v1/coaches/{coach_id}/availability"]["get"]
                       ["parameters"] if p["name"] == "coach_id")
    routed = client.get(f"/api/v1/coaches/{number}/availability").status_code == 400  # matched: then missing fields
    assert accepts(path_schema, number) == routed, number
    api, _ = api_as("customer")
    schema = _body_field(document, "BookingInput", "coach_id")
    response = api.post("/api/v1/bookings", json={"coach_id": number})
    assert accepts(schema, number) == (not _refused(response, "coach_id")), number


@pytest.mark.parametrize("zone", ["", " ", "Asia/", "/Riyadh", "Asia//Riyadh", "Asia/Riyadh/", "Asia/Riyadh\n",
                                  "Asia/Riyadh", "Etc/GMT+3", "America/Argentina/Buenos_Aires", "UTC"])
def test_zone_names_are_non_empty_and_shaped_like_iana_names(api_as, document, zone):
    api, _ = api_as("customer")
    schema = _body_field(document, "BookingInput", "timezone")
    refused = _refused(api.post("/api/v1/bookings", json={"timezone": zone}), "timezone")
    if not accepts(schema, zone):
        assert refused, zone  # what the document refuses, the server refuses
    else:
        assert not refused, zone  # these probes are all real zones
    assert schema["minLength"] == 1


@pytest.mark.parametrize("cursor", ["a b", "x" * 201, "abc=", "ab/c", "évite", "abc\n"])
def test_cursors_are_opaque_and_their_documented_shape_is_enforced(api_as, document, cursor):
    api, _ = api_as("customer")
    schema = _query_param(document, "/api/v1/bookings", "cursor")
    assert "opaque" in schema["description"]
    assert not accepts(schema, cursor)
    assert _refused(api.get("/api/v1/bookings", query_string={"cursor": cursor}), "cursor")


def test_servers_come_from_app_base_url_not_the_host_header(app, client):
    app.config["APP_BASE_URL"] = "https://book.example.com"
    document = client.get("/api/v1/openapi.json", headers={"Host": "evil.example"}).get_json()
    assert document["servers"] == [{"url": "https://book.example.com/"}]
