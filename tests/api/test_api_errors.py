"""Every API failure is JSON: {"error": {"code", "message", "fields"}}; the HTML pages keep theirs."""
import pytest



def test_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.is_json
    assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_a_json_405_with_allow(client):
    response = client.put("/api/v1/coaches")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_html_pages_keep_their_error_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and not response.is_json


def test_unhandled_exception_is_a_json_500_without_details(app, client, monkeypatch):
    from bookingadmin.api import queries

    def boom(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(queries, "active_coaches", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/v1/coaches")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "server_error"
    assert "secret" not in response.get_data(as_text=True)


def test_bad_query_parameters_are_400_naming_each_field(client):
    response = client.get("/api/v1/consultation-types?category=yoga&coach=x")
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"category", "coach"}


# --------------------------------------------------------------------------- bad input is never a 500
# Out-of-range integers matter on PostgreSQL (int4 overflow) and on SQLite (beyond 64 bits).

HUGE = ("9999999999999", "99999999999999999999999")


@pytest.mark.parametrize("number", HUGE)
def test_ids_beyond_the_database_range_in_paths_are_404(client, api_as, number):
    for path in (f"/api/v1/coaches/{number}", f"/api/v1/consultation-types/{number}",
                 f"/api/v1/coaches/{number}/available-dates?type=1&duration=60&month=2026-03"):
        response = client.get(path)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found", path
    admin, _ = api_as("admin")
    assert admin.delete(f"/api/v1/slots/{number}").status_code == 404
    assert admin.patch(f"/api/v1/slots/{number}", json={"is_active": False}).status_code == 404


@pytest.mark.parametrize("number", ("99999999999", *HUGE))  # 11 digits: read as a number, beyond int4
def test_ids_beyond_the_database_range_in_query_strings_are_400(client, api_as, number):
    response = client.get(f"/api/v1/coaches?type={number}")
    assert response.status_code == 400 and set(response.get_json()["error"]["fields"]) == {"type"}
    api, _ = api_as("admin")
    response = api.get(f"/api/v1/bookings?coach={number}&customer={number}")
    assert response.status_code == 400 and set(response.get_json()["error"]["fields"]) == {"coach", "customer"}


@pytest.mark.parametrize("number", [9999999999999, 10**25])
def test_ids_beyond_the_database_range_in_bodies_are_400(make_catalog, api_as, counts, number):
    from bookingadmin.bookings.models import Booking

    cat = make_catalog()
    api, _ = api_as("admin")
    body = {"consultation_type_id": number, "coach_id": number, "customer_id": number, "duration_minutes": 60,
            "starts_at": "2030-03-01T10:00:00+03:00", "meeting_type": "online", "slot_id": number}
    response = api.post("/api/v1/bookings", json=body)
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"consultation_type_id", "coach_id", "customer_id",
                                                           "slot_id"}
    response = api.post("/api/v1/slots", json={"coach_id": number, "date": "2030-03-01", "start_time": "10:00",
                                               "end_time": "11:00", "consultation_type_id": cat.paid.id})
    assert response.status_code == 400 and set(response.get_json()["error"]["fields"]) == {"coach_id"}
    assert counts(Booking) == {"bookings": 0}


def test_a_nul_byte_in_a_token_request_is_400_naming_the_field(client, make_user):
    user = make_user()
    for field, body in (("email", {"email": user.email + "\x00", "password": "correct-horse"}),
                        ("password", {"email": user.email, "password": "correct\x00horse"}),
                        ("label", {"email": user.email, "password": "correct-horse", "label": "a\x00b"})):
        response = client.post("/api/v1/auth/token", json=body)
        assert response.status_code == 400, (field, response.get_data(as_text=True))
        error = response.get_json()["error"]
        assert set(error["fields"]) == {field} and "NUL" in error["fields"][field]


def test_a_nul_byte_in_a_query_string_or_path_is_400_with_a_message(client, api_as):
    response = client.get("/api/v1/consultation-types?category=%00")
    assert response.status_code == 400 and "NUL" in response.get_json()["error"]["message"]
    assert set(response.get_json()["error"]["fields"]) == {"category"}
    api, _ = api_as("customer")
    response = api.get("/api/v1/bookings/CB-%00")
    assert response.status_code == 400 and "NUL" in response.get_json()["error"]["message"]


def test_a_line_break_in_the_contact_name_is_refused(make_catalog, api_for, counts):
    from bookingadmin.bookings.models import Booking
    from tests.factories import local_time

    cat = make_catalog()
    body = {"consultation_type_id": cat.paid.id, "coach_id": cat.coach.id, "duration_minutes": 60,
            "starts_at": local_time(cat.coach, days=3, at="10:00").isoformat(), "meeting_type": "online",
            "contact": {"name": "Mallory\r\nBcc: victim@example.com"}}
    response = api_for(cat.customer).post("/api/v1/bookings", json=body)
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"contact.name"}
    assert "one line" in response.get_json()["error"]["fields"]["contact.name"]
    assert counts(Booking) == {"bookings": 0}
