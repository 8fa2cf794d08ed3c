"""Passwords: long and hard to guess, refused with a reason in the reader's language, stored as
argon2id, and older hashes replaced at the next sign-in."""
from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from bookingadmin.auth.models import User
from bookingadmin.extensions import db
from tests.conftest import AuthActions

GOOD = {"name": "Noura Hassan", "email": "noura@example.com", "phone": "+966501234567", "language": "en",
        "timezone": "Asia/Riyadh"}


def _register(client, password: str, **changes):
    data = dict(GOOD, password=password, csrf_token=AuthActions(client).csrf_token("/register"), **changes)
    return client.post("/register", data=data)


@pytest.mark.parametrize("password,reason", [
    ("short-pw1", "Use at least 10 characters."),
    ("password1234", "This password is one of the most commonly used; choose another."),
    ("zxcvbnm,./", "Keyboard patterns such as “qwerty” are easy to guess."),
    ("aaaaaaaaaaaa", "Repeated letters or words are easy to guess."),
    ("abcdefghijkl", "Sequences such as “abc” or “1234” are easy to guess."),
    ("1987-03-12-x", "Dates and years are easy to guess."),
    ("noura-hassan", "Do not use your name or email address in your password."),
])
def test_weak_passwords_are_refused_with_the_reason(client, password, reason):
    response = _register(client, password)
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_the_reason_is_given_in_arabic(client):
    client.get("/language/ar")
    response = _register(client, "short-pw1")
    assert response.status_code == 400
    assert "استخدم 10 أحرف على الأقل." in response.get_data(as_text=True)


@pytest.mark.parametrize("password", ["correct-horse", "long-enough-pw", "demo-pass-2026"])
def test_the_passwords_of_the_fixtures_and_the_demo_are_accepted(client, password):
    assert _register(client, password).status_code == 302


def test_new_passwords_are_stored_as_argon2id_at_owasp_parameters(client):
    _register(client, "long-enough-pw")
    stored = db.session.scalar(db.select(User.password_hash))
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256"])
def test_an_older_hash_still_signs_in_and_is_replaced_by_argon2id(app, client, make_user, method):
    user = make_user(email="old@example.com")
    user.password_hash = generate_password_hash("correct-horse", method=method)
    db.session.commit()
    version = user.session_version
    auth = AuthActions(client)
    assert auth.login("old@example.com").status_code == 302
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")
    assert user.session_version == version  # the upgrade is not a password change: the session goes on
    assert client.get("/my/bookings").status_code == 200
    assert auth.logout().status_code == 302
    assert auth.login("old@example.com").status_code == 302


def test_a_wrong_password_leaves_an_older_hash_alone(app, client, make_user):
    user = make_user(email="old@example.com")
    old = user.password_hash = generate_password_hash("correct-horse", method="scrypt")
    db.session.commit()
    assert AuthActions(client).login("old@example.com", "wrong-password").status_code == 400
    db.session.refresh(user)
    assert user.password_hash == old


def test_the_command_line_refuses_a_weak_password_too(app):
    result = app.test_cli_runner().invoke(args=["create-user", "--email", "boss@example.com", "--name", "Boss",
                                                "--role", "admin", "--password", "password1234"])
    assert result.exit_code != 0 and "commonly used" in result.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
