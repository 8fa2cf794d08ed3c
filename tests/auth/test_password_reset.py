"""Forgot password: the emailed link, used once, within its time; the same answer for every address."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bookingadmin.auth.models import User
from bookingadmin.extensions import db
from tests.conftest import AuthActions

from .mailbox import emails, link, recipients, text

NEW = "violet-harbour-cinnamon-42"


def _ask(client, email: str):
    token = AuthActions(client).csrf_token("/password/reset")
    return client.post("/password/reset", data={"email": email, "csrf_token": token})


def _choose(client, path: str, password: str):
    token = AuthActions(client).csrf_token("/password/reset")  # one CSRF token per session
    return client.post(path, data={"password": password, "csrf_token": token})


def _reset_link(app, n: int = -1) -> str:
    return link(emails(app, "password_reset")[n], "/password/reset/")


def test_the_login_page_offers_forgot_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/reset"' in page


def test_reset_end_to_end_old_password_stops_and_other_sessions_end(app, make_user):
    make_user(email="noura@example.com", name="Noura Test", language="en")
    elsewhere = AuthActions(app.test_client())
    assert elsewhere.login("noura@example.com").status_code == 302
    assert 'action="/logout"' in elsewhere.client.get("/").get_data(as_text=True)

    browser = app.test_client()
    answer = _ask(browser, "Noura@Example.com")
    assert answer.status_code == 200 and "Check your email" in answer.get_data(as_text=True)
    [message] = emails(app, "password_reset")
    assert recipients(message) == ["noura@example.com"]
    assert "within 60 minutes" in text(message)
    path = _reset_link(app)
    assert browser.get(path).status_code == 200
    done = _choose(browser, path, NEW)
    assert done.status_code == 302 and done.location == "/login"

    assert AuthActions(app.test_client()).login("noura@example.com").status_code == 400  # old password
    assert AuthActions(app.test_client()).login("noura@example.com", NEW).status_code == 302
    assert 'action="/logout"' not in elsewhere.client.get("/").get_data(as_text=True)  # signed out there
    assert len(emails(app, "password_changed")) == 1


def test_a_used_link_is_refused_and_changes_nothing(app, make_user):
    make_user(email="noura@example.com")
    client = app.test_client()
    _ask(client, "noura@example.com")
    path = _reset_link(app)
    assert _choose(client, path, NEW).status_code == 302
    again = client.get(path)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    assert 'href="/password/reset"' in again.get_data(as_text=True)  # offers a new link
    hash_after_first = db.session.scalar(db.select(User.password_hash))
    token = AuthActions(client).csrf_token("/password/reset")
    reused = client.post(path, data={"password": "another-fine-passphrase-77", "csrf_token": token})
    assert reused.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(db.select(User.password_hash)) == hash_after_first


def test_an_expired_link_is_refused_and_changes_nothing(app, make_user, monkeypatch):
    user = make_user(email="noura@example.com")
    before = (user.password_hash, user.session_version)
    client = app.test_client()
    _ask(client, "noura@example.com")
    path = _reset_link(app)
    from bookingadmin.auth import reset_views
    from bookingadmin.core.clock import utcnow

    later = utcnow() + timedelta(minutes=61)
    monkeypatch.setattr(reset_views, "utcnow", lambda: later)
    expired = client.get(path)
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    assert _choose(client, path, NEW).status_code == 400
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.password_hash, user.session_version) == before


def test_the_lifetime_is_configurable(app, make_user, monkeypatch):
    app.config["PASSWORD_RESET_MINUTES"] = 10
    make_user(email="noura@example.com")
    client = app.test_client()
    _ask(client, "noura@example.com")
    assert "within 10 minutes" in text(emails(app, "password_reset")[0])
    from bookingadmin.auth import reset_views
    from bookingadmin.core.clock import utcnow

    later = utcnow() + timedelta(minutes=11)
    monkeypatch.setattr(reset_views, "utcnow", lambda: later)
    assert client.get(_reset_link(app)).status_code == 400


@pytest.mark.parametrize("damage", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),   # signature broken
    lambda t: "x" + t,                                                # payload changed
    lambda t: "not-a-token",
])
def test_a_tampered_link_is_refused(app, make_user, damage):
    user = make_user(email="noura@example.com")
    before = user.password_hash
    client = app.test_client()
    _ask(client, "noura@example.com")
    token = _reset_link(app).rsplit("/", 1)[1]
    path = "/password/reset/" + damage(token)
    page = client.get(path)
    assert page.status_code == 400 and "not valid" in page.get_data(as_text=True)
    assert _choose(client, path, NEW).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before


def test_unknown_and_known_addresses_get_the_same_answer(app, make_user):
    make_user(email="known@example.com")
    known = _ask(app.test_client(), "known@example.com")
    unknown = _ask(app.test_client(), "nobody@example.com")
    strip = lambda r: re.sub(r'name="csrf_token"[^>]*', "", r.get_data(as_text=True))  # noqa: E731
    assert (known.status_code, strip(known)) == (unknown.status_code, strip(unknown))
    assert [recipients(m) for m in emails(app, "password_reset")] == [["known@example.com"]]


def test_a_weak_new_password_rerenders_with_the_message_on_the_field(app, make_user):
    user = make_user(email="noura@example.com")
    client = app.test_client()
    _ask(client, "noura@example.com")
    path = _reset_link(app)
    weak = _choose(client, path, "password1234")
    assert weak.status_code == 400
    assert re.search(r'data-field-error="password">[^<]*commonly used', weak.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("correct-horse")
    assert _choose(client, path, NEW).status_code == 302  # the link still works after a refusal


def test_a_bad_email_rerenders_with_the_message_on_the_field(client):
    token = AuthActions(client).csrf_token("/password/reset")
    page = client.post("/password/reset", data={"email": "not-an-email", "csrf_token": token})
    assert page.status_code == 400 and 'data-field-error="email"' in page.get_data(as_text=True)


def test_reset_requests_are_throttled_per_address(app, make_user):
    make_user(email="noura@example.com")
    answers = [_ask(app.test_client(), "noura@example.com").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert len(emails(app, "password_reset")) == 3


def test_the_reset_email_reads_in_arabic_for_an_arabic_account(app, make_user):
    make_user(email="noura@example.com", language="ar")
    _ask(app.test_client(), "noura@example.com")
    assert "اختر كلمة مرور جديدة" in text(emails(app, "password_reset")[0])
