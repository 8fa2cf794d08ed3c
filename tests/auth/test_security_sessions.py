"""Sessions end on the server: a copied cookie stops working after logout, a password change,
deactivation or "sign out everywhere"; idle and absolute limits; a fresh session at sign-in."""
from __future__ import annotations

import pytest

from bookingadmin.auth.models import User
from bookingadmin.auth.sessions import ANCHOR
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db
from tests.conftest import AuthActions


def _signed_in(app, make_user, role="customer", email="c@example.com"):
    """A client signed in through the real form, and a copy of its session cookie."""
    user = make_user(role=role, email=email)
    client = app.test_client()
    assert AuthActions(client).login(email).status_code == 302
    return user, client, client.get_cookie("session").value


def _replay(app, cookie: str, path: str):
    """What a second browser holding a copy of the cookie gets."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get(path)


def _is_signed_out(response) -> bool:
    return response.status_code == 302 and "/login" in response.location


def test_a_cookie_copied_before_logout_no_longer_opens_my_bookings(app, make_user):
    _, client, cookie = _signed_in(app, make_user)
    assert _replay(app, cookie, "/my/bookings").status_code == 200
    assert AuthActions(client).logout().status_code == 302
    assert _is_signed_out(_replay(app, cookie, "/my/bookings"))
    assert _replay(app, cookie, "/api/v1/me").status_code == 401  # the API's cookie path too


def test_a_password_change_ends_earlier_sessions(app, make_user):
    user, _, cookie = _signed_in(app, make_user, role="admin", email="a@example.com")
    assert _replay(app, cookie, "/admin/").status_code == 200
    user.set_password("another-long-secret")
    db.session.commit()
    assert _is_signed_out(_replay(app, cookie, "/admin/"))


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(app, make_user):
    user, _, cookie = _signed_in(app, make_user)
    user.active = False
    db.session.commit()
    assert _is_signed_out(_replay(app, cookie, "/my/bookings"))
    user.active = True
    db.session.commit()
    assert _is_signed_out(_replay(app, cookie, "/my/bookings"))


def test_sign_out_everywhere_from_the_command_line(app, make_user):
    _, _, cookie = _signed_in(app, make_user)
    result = app.test_cli_runner().invoke(args=["sign-out-everywhere", "--email", "C@example.com"])
    assert result.exit_code == 0, result.output
    assert _is_signed_out(_replay(app, cookie, "/my/bookings"))


def test_an_api_token_of_a_deactivated_user_stops_working(app, make_user):
    user = make_user(email="c@example.com")
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "c@example.com", "password": "correct-horse"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_sign_in_starts_a_fresh_session_keeping_only_preferences(app, make_user):
    make_user(email="c@example.com")
    client = app.test_client()
    client.get("/language/ar")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["booking_draft"] = {"type": 1}
    AuthActions(client).login("c@example.com")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["language"] == "ar" and session["booking_draft"] == {"type": 1}
        assert session[ANCHOR]["v"] == db.session.scalar(db.select(User.session_version))


def _age_session(client, *, idle_minutes: int = 0, signed_in_hours: int = 0) -> None:
    now = int(utcnow().timestamp())
    with client.session_transaction() as session:
        anchor = session[ANCHOR]
        session[ANCHOR] = {**anchor, "seen": now - idle_minutes * 60, "at": now - signed_in_hours * 3600}


@pytest.mark.parametrize("role,path,idle,signed_out", [
    ("admin", "/admin/", 119, False),
    ("admin", "/admin/", 121, True),      # staff: 2 hours by default
    ("customer", "/my/bookings", 121, False),
    ("customer", "/my/bookings", 241, True),  # customers: 4 hours by default
])
def test_idle_sessions_end(app, make_user, role, path, idle, signed_out):
    _, client, _ = _signed_in(app, make_user, role=role, email=f"{role}@example.com")
    _age_session(client, idle_minutes=idle)
    assert _is_signed_out(client.get(path)) is signed_out


def test_idle_limit_is_configurable(app, make_user):
    app.config["STAFF_IDLE_MINUTES"] = 5
    _, client, _ = _signed_in(app, make_user, role="support", email="s@example.com")
    _age_session(client, idle_minutes=6)
    assert _is_signed_out(client.get("/admin/"))


def test_a_session_ends_after_its_absolute_lifetime_even_when_used(app, make_user):
    _, client, _ = _signed_in(app, make_user)
    _age_session(client, signed_in_hours=11)
    assert client.get("/my/bookings").status_code == 200
    _age_session(client, signed_in_hours=13)  # SESSION_MAX_HOURS defaults to 12
    assert _is_signed_out(client.get("/my/bookings"))


def test_each_request_moves_the_idle_clock(app, make_user):
    _, client, _ = _signed_in(app, make_user, role="admin", email="a@example.com")
    _age_session(client, idle_minutes=100)
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:
        assert int(utcnow().timestamp()) - session[ANCHOR]["seen"] < 60
