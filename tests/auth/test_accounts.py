"""Registration, login and logout through the real forms, including bad input and CSRF."""
import pytest

from bookingadmin.auth.models import User
from bookingadmin.extensions import db

GOOD = {"name": "Noura Test", "email": "Noura@Example.com", "phone": "+966 50 123 4567",
        "password": "long-enough-pw", "language": "ar", "timezone": "Africa/Cairo"}


def _register(auth, **changes):
    data = dict(GOOD, **changes)
    data["csrf_token"] = auth.csrf_token("/register")
    return auth.client.post("/register", data=data)


def _users() -> int:
    return db.session.scalar(db.select(db.func.count(User.id)))


def test_customer_registers_then_logs_in(auth):
    response = _register(auth)
    assert response.status_code == 302 and response.location.startswith("/login")
    user = db.session.scalar(db.select(User))
    assert (user.email, user.phone, user.language, user.timezone, user.role) == (
        "noura@example.com", "+966501234567", "ar", "Africa/Cairo", "customer")
    assert user.password_hash.startswith("$argon2id$") and "long-enough-pw" not in user.password_hash
    assert auth.login("noura@example.com", "long-enough-pw").status_code == 302
    home = auth.client.get("/").get_data(as_text=True)
    assert 'action="/logout"' in home  # logged in
    assert 'dir="rtl"' in home  # in the language chosen at registration


@pytest.mark.parametrize("field,value,message", [
    ("phone", "0501234567", "country code"),
    ("phone", "+96650", "not valid"),
    ("timezone", "Mars/Olympus", "time zone"),
    ("email", "not-an-email", "email"),
    ("password", "short", "10"),
    ("password", "password1234", "commonly used"),
    ("name", "", "required"),
])
def test_bad_registration_rerenders_with_the_field_error_and_saves_nothing(auth, field, value, message):
    response = _register(auth, **{field: value})
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert _users() == 0


def test_duplicate_email_in_any_letter_case_creates_nothing(auth, make_user):
    make_user(email="noura@example.com")
    response = _register(auth, email="NOURA@EXAMPLE.COM")
    assert response.status_code == 302  # the same answer as a new address (tests/auth/test_security_enumeration.py)
    assert _users() == 1


def test_database_refuses_a_second_row_with_the_same_email(app, make_user):
    make_user(email="dup@example.com")
    clash = User(email="dup@example.com", name="X", role="customer", language="en", timezone="UTC",
                 password_hash="x")
    db.session.add(clash)
    with pytest.raises(Exception):
        db.session.commit()
    db.session.rollback()


def test_form_without_csrf_token_is_refused(client):
    response = client.post("/register", data=dict(GOOD))
    assert response.status_code == 400
    assert _users() == 0
    assert client.post("/login", data={"email": "a@example.com", "password": "x"}).status_code == 400


def test_staff_login_lands_in_the_back_office(auth, make_user):
    make_user(role="support", email="s@example.com")
    response = auth.login("S@Example.com")
    assert response.status_code == 302 and response.location.endswith("/admin/")


def test_customer_login_lands_on_the_booking_pages(auth, make_user):
    make_user(email="c@example.com")
    assert auth.login("c@example.com").location == "/"


def test_login_follows_only_local_next(auth, make_user):
    make_user(email="c@example.com")
    token = auth.csrf_token("/login")
    response = auth.client.post("/login?next=https://evil.example/x",
                                data={"email": "c@example.com", "password": "correct-horse", "csrf_token": token})
    assert response.location == "/"


@pytest.mark.parametrize("email,password", [("c@example.com", "wrong-password"), ("nobody@example.com", "x")])
def test_wrong_credentials_rerender_with_one_vague_message(auth, make_user, email, password):
    make_user(email="c@example.com")
    response = auth.login(email, password)
    assert response.status_code == 400
    assert "Wrong email or password" in response.get_data(as_text=True)


def test_inactive_user_cannot_log_in(auth, make_user):
    user = make_user(email="c@example.com")
    user.active = False
    db.session.commit()
    assert auth.login("c@example.com").status_code == 400


def test_logout_ends_the_session(auth, make_user):
    make_user(role="admin", email="a@example.com")
    auth.login("a@example.com")
    assert auth.client.get("/admin/").status_code == 200
    assert auth.logout().status_code == 302
    assert auth.client.get("/admin/").status_code == 302  # back to the login page


def test_logout_requires_post_with_csrf(auth, make_user):
    make_user(role="admin", email="a@example.com")
    auth.login("a@example.com")
    assert auth.client.get("/logout").status_code == 405
    assert auth.client.post("/logout").status_code == 400
    assert auth.client.get("/admin/").status_code == 200
