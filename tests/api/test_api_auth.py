"""Tokens: issued for email+password, used as Bearer, revoked by DELETE; sessions need CSRF to write."""
from datetime import timedelta

import pytest

from bookingadmin.auth.models import ApiToken
from bookingadmin.auth.tokens import hash_token
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db


def test_token_is_issued_used_and_revoked(api, make_user, documented):
    user = make_user(email="lina@example.com")
    issued = api.client.post("/api/v1/auth/token", json={"email": "LINA@example.com", "password": "correct-horse",
                                                          "label": "phone"})
    assert issued.status_code == 201
    body = documented(issued, "IssuedToken")
    token = body["token"]
    assert body["user"]["id"] == user.id and body["token_type"] == "Bearer"

    stored = db.session.scalar(db.select(ApiToken))
    assert stored.token_hash == hash_token(token) and token not in (stored.token_hash, stored.prefix)
    assert stored.label == "phone" and stored.expires_at > utcnow() + timedelta(days=30)

    headers = {"Authorization": f"Bearer {token}"}
    me = api.client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.get_json()["email"] == "lina@example.com"
    assert "bookings.book" in documented(me, "Me")["permissions"]

    assert api.client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    again = api.client.get("/api/v1/me", headers=headers)
    assert again.status_code == 401 and again.get_json()["error"]["code"] == "unauthorized"
    db.session.expire_all()
    assert db.session.scalar(db.select(ApiToken)).revoked_at is not None


def test_revoking_one_token_leaves_the_others(api, make_user):
    make_user(email="a@example.com")
    first, second = api.login("a@example.com"), api.login("a@example.com")
    assert api.client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {first}"}).status_code == 204
    assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_without_credentials_is_401_with_a_json_error(api):
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    listing = api.get("/api/v1/bookings")
    assert listing.status_code == 401 and listing.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ba_unknown", "Basic dXNlcjpwYXNz", "Bearer "])
def test_bad_authorization_headers_are_401_even_on_public_routes(api, header):
    response = api.client.get("/api/v1/coaches", headers={"Authorization": header})
    assert response.status_code == 401


def test_wrong_password_is_401_and_issues_nothing(api, make_user):
    make_user(email="a@example.com")
    response = api.client.post("/api/v1/auth/token", json={"email": "a@example.com", "password": "wrong-horse"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_credentials"
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 0


def test_token_request_names_missing_and_unknown_fields(api):
    response = api.client.post("/api/v1/auth/token", json={"mail": "a@example.com"})
    assert response.status_code == 400
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"email", "password", "mail"}
    assert api.client.post("/api/v1/auth/token", data="{not json",
                           content_type="application/json").get_json()["error"]["fields"] == {
        "body": "The body is not valid JSON"}


def test_expired_token_and_deactivated_user_are_refused(api, make_user):
    user = make_user(email="a@example.com")
    token = api.login("a@example.com")
    headers = {"Authorization": f"Bearer {token}"}
    row = db.session.scalar(db.select(ApiToken))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert api.client.get("/api/v1/me", headers=headers).status_code == 401

    token = api.login("a@example.com")
    user.active = False
    db.session.commit()
    assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_session_cookie_reads_freely_but_writes_only_with_the_csrf_header(auth, make_user):
    make_user(email="a@example.com")
    auth.login("a@example.com")
    client = auth.client
    assert client.get("/api/v1/me").status_code == 200
    refused = client.delete("/api/v1/auth/token")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "csrf_failed"
    token = client.get("/api/v1/auth/csrf-token").get_json()["csrf_token"]
    # with the header the CSRF check passes; there is no token to revoke for a cookie session
    response = client.delete("/api/v1/auth/token", headers={"X-CSRFToken": token})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "no_token"


def test_bearer_requests_need_no_csrf_token(api, make_user):
    make_user(email="a@example.com")
    api.login("a@example.com")
    assert api.delete("/api/v1/auth/token").status_code == 204


def test_revoke_api_tokens_command_cuts_off_every_token(app, api, make_user):
    make_user(email="a@example.com")
    tokens = [api.login("a@example.com") for _ in range(2)]
    result = app.test_cli_runner().invoke(args=["revoke-api-tokens", "--email", "a@example.com"])
    assert result.exit_code == 0 and "Revoked 2 token(s)" in result.output
    for token in tokens:
        assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    missing = app.test_cli_runner().invoke(args=["revoke-api-tokens", "--email", "nobody@example.com"])
    assert missing.exit_code != 0
