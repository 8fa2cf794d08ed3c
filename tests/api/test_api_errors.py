"""Every API failure is JSON: {"error": {"code", "message", "fields"}}; the HTML pages keep theirs."""


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
