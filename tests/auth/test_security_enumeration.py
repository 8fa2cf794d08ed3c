"""Nobody learns which emails have accounts: not from the token endpoint's timing, not from the
registration page, not from the login message."""
from __future__ import annotations

import re
import statistics
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

from bookingadmin.auth.models import User
from bookingadmin.extensions import db
from bookingadmin.notifications.models import Notification
from tests.conftest import AuthActions

TOKEN = "/api/v1/auth/token"


def _timed_token_request(client, email: str, n: int) -> float:
    started = time.perf_counter()
    response = client.post(TOKEN, json={"email": email, "password": "wrong-password"},
                           environ_base={"REMOTE_ADDR": f"10.7.{n}.1"})
    assert response.status_code == 401
    return time.perf_counter() - started


def test_the_token_endpoint_takes_as_long_for_an_unknown_email_as_for_a_wrong_password(app, client, make_user):
    app.config["SIGNIN_LIMITS_PER_ACCOUNT"] = "1000 per minute"
    make_user(email="known@example.com")
    _timed_token_request(client, "known@example.com", 0)  # warm up
    unknown, wrong = [], []
    for n in range(1, 8):
        unknown.append(_timed_token_request(client, f"nobody{n}@example.com", n))
        wrong.append(_timed_token_request(client, "known@example.com", n))
    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.6 < ratio < 1.6, (unknown, wrong)


def test_the_api_answer_is_the_same_for_an_unknown_email_and_a_wrong_password(app, client, make_user):
    make_user(email="known@example.com")
    unknown = client.post(TOKEN, json={"email": "nobody@example.com", "password": "wrong-password"})
    wrong = client.post(TOKEN, json={"email": "known@example.com", "password": "wrong-password"})
    assert (unknown.status_code, unknown.get_json()) == (wrong.status_code, wrong.get_json())


def _error_text(response) -> list[str]:
    return re.findall(r'data-field-error="\w+">([^<]*)<', response.get_data(as_text=True))


def test_the_login_page_says_the_same_for_an_unknown_email_and_a_wrong_password(app, client, make_user):
    make_user(email="known@example.com")
    auth = AuthActions(client)
    unknown, wrong = auth.login("nobody@example.com", "wrong-password"), auth.login("known@example.com", "wrong-pw")
    assert unknown.status_code == wrong.status_code == 400
    assert _error_text(unknown) == _error_text(wrong) == ["Wrong email or password"]


GOOD = {"name": "Noura Test", "phone": "+966501234567", "password": "long-enough-pw", "language": "en",
        "timezone": "Asia/Riyadh"}


def _register(client, email: str):
    data = dict(GOOD, email=email, csrf_token=AuthActions(client).csrf_token("/register?next=/book/1"))
    response = client.post("/register?next=/book/1", data=data)
    page = client.get(response.location).get_data(as_text=True)  # where the flash message shows
    return response, re.findall(r'class="alert[^"]*"[^>]*>\s*(.*?)\s*<', page)


def _sent(app, kind: str) -> list:
    rows = db.session.scalars(db.select(Notification).where(Notification.kind == kind)).all()
    files = sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob(f"*-{kind}.eml"))
    return rows, [BytesParser(policy=policy.default).parse(f.open("rb")) for f in files]


def test_registering_a_taken_email_answers_like_a_new_one_and_tells_the_owner_by_email(app, make_user):
    make_user(email="taken@example.com", name="First Owner")
    new_answer, new_page = _register(app.test_client(), "fresh@example.com")
    taken_answer, taken_page = _register(app.test_client(), "Taken@Example.com")
    assert (taken_answer.status_code, taken_answer.location) == (new_answer.status_code, new_answer.location)
    assert taken_answer.location == "/login?next=/book/1"
    assert taken_page == new_page and "sent a message" in " ".join(new_page)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2  # the taken address got no second account

    rows, emails = _sent(app, "account_exists")
    assert [(r.recipient_email, r.status) for r in rows] == [("taken@example.com", "sent")]
    assert emails[0]["To"].addresses[0].addr_spec == "taken@example.com"
    assert "already has an account" in emails[0].get_body(("plain",)).get_content()
    rows, emails = _sent(app, "welcome")
    assert [(r.recipient_email, r.status) for r in rows] == [("fresh@example.com", "sent")]
    assert "/login" in emails[0].get_body(("plain",)).get_content()


def test_the_owner_reads_the_note_in_their_own_language(app, make_user):
    make_user(email="taken@example.com", language="ar")
    _register(app.test_client(), "taken@example.com")
    _, emails = _sent(app, "account_exists")
    assert "لديك حساب بالفعل" in emails[0].get_body(("plain",)).get_content()


def test_registering_a_taken_email_takes_as_long_as_a_new_one(app, make_user):
    """Both hash the password: the answer's timing does not tell either."""
    make_user(email="taken@example.com")
    client = app.test_client()
    _register(client, "warm@example.com")
    taken, new = [], []
    for n in range(3):
        for email, times in ((f"taken@example.com", taken), (f"fresh{n}@example.com", new)):
            token = AuthActions(client).csrf_token("/register")
            started = time.perf_counter()
            client.post("/register", data=dict(GOOD, email=email, csrf_token=token),
                        environ_base={"REMOTE_ADDR": f"10.8.{n}.{len(times)}"})
            times.append(time.perf_counter() - started)
    assert 0.5 < statistics.median(taken) / statistics.median(new) < 2.0, (taken, new)
