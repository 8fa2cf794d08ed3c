"""Guessing is throttled per account and per IP address, with waits that grow, answered 429 + Retry-After."""
from __future__ import annotations

import time

from tests.conftest import AuthActions

TOKEN = "/api/v1/auth/token"


def _login(client, email: str, password: str, ip: str = "127.0.0.1"):
    token = AuthActions(client).csrf_token("/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ip})


def _retry_after(response) -> int:
    return int(response.headers["Retry-After"])


def test_thirty_wrong_passwords_from_changing_addresses_lock_the_account_for_a_long_while(app, client, make_user):
    make_user(email="victim@example.com")
    answers = [_login(client, "victim@example.com", f"guess-{n}", ip=f"10.0.{n}.1") for n in range(30)]
    assert [a.status_code for a in answers[:5]] == [400] * 5
    assert {a.status_code for a in answers[5:]} == {429}
    assert 0 < _retry_after(answers[5]) <= 60
    # The 31st try, even with the right password and from yet another address, waits.
    last = _login(client, "victim@example.com", "correct-horse", ip="10.9.9.9")
    assert last.status_code == 429 and _retry_after(last) > 0
    assert "Too many attempts" in last.get_data(as_text=True)


def test_the_wait_grows_as_failures_go_on(app, client, make_user):
    app.config["SIGNIN_LIMITS_PER_ACCOUNT"] = "3 per 2 second;5 per hour"
    make_user(email="victim@example.com")
    assert [_login(client, "victim@example.com", "nope-nope").status_code for _ in range(3)] == [400] * 3
    first_wait = _login(client, "victim@example.com", "nope-nope")
    assert first_wait.status_code == 429 and _retry_after(first_wait) <= 2
    time.sleep(2.2)
    assert [_login(client, "victim@example.com", "nope-nope").status_code for _ in range(2)] == [400] * 2
    second_wait = _login(client, "victim@example.com", "nope-nope")
    assert second_wait.status_code == 429 and _retry_after(second_wait) > 3000


def test_one_address_guessing_many_accounts_is_throttled(app, client, make_user):
    app.config["SIGNIN_LIMITS_PER_IP"] = "8 per minute"
    answers = [_login(client, f"person{n}@example.com", "whatever-1", ip="10.1.1.1") for n in range(9)]
    assert [a.status_code for a in answers] == [400] * 8 + [429]
    assert _login(client, "person99@example.com", "whatever-1", ip="10.2.2.2").status_code == 400


def test_the_token_endpoint_shares_the_accounts_counter_and_answers_json(app, client, make_user):
    make_user(email="victim@example.com")
    for n in range(5):
        assert _login(client, "victim@example.com", f"guess-{n}").status_code == 400
    response = client.post(TOKEN, json={"email": "Victim@Example.com", "password": "correct-horse"})
    assert response.status_code == 429 and _retry_after(response) > 0
    assert response.get_json()["error"]["code"] == "too_many_requests"


def test_the_token_endpoint_alone_is_throttled(app, client, make_user):
    make_user(email="victim@example.com")
    codes = [client.post(TOKEN, json={"email": "victim@example.com", "password": f"guess-{n}"},
                         environ_base={"REMOTE_ADDR": f"10.3.{n}.1"}).status_code for n in range(7)]
    assert codes == [401] * 5 + [429] * 2


def test_successful_sign_ins_do_not_count(app, client, make_user):
    make_user(email="busy@example.com")
    auth = AuthActions(client)
    for _ in range(8):
        assert _login(client, "busy@example.com", "correct-horse").status_code == 302
        assert auth.logout().status_code == 302


def _register(client, email: str, ip: str = "127.0.0.1"):
    token = AuthActions(client).csrf_token("/register")
    data = {"name": "Some One", "email": email, "phone": "+966501234567", "password": "long-enough-pw",
            "language": "en", "timezone": "Asia/Riyadh", "csrf_token": token}
    return client.post("/register", data=data, environ_base={"REMOTE_ADDR": ip})


def test_registration_is_throttled_per_address_asked_for(app, client):
    codes = [_register(client, "same@example.com", ip=f"10.4.{n}.1").status_code for n in range(4)]
    assert codes == [302] * 3 + [429]


def test_registration_is_throttled_per_ip(app, client):
    app.config["REGISTER_LIMITS_PER_IP"] = "4 per hour"
    codes = [_register(client, f"new{n}@example.com").status_code for n in range(5)]
    assert codes == [302] * 4 + [429]
    assert _register(client, "other@example.com", ip="10.5.5.5").status_code == 302


def test_the_429_page_is_translated(app, client, make_user):
    client.get("/language/ar")
    for n in range(6):
        response = _login(client, "victim@example.com", f"guess-{n}")
    assert response.status_code == 429
    assert 'dir="rtl"' in response.get_data(as_text=True)
    assert "محاولات كثيرة" in response.get_data(as_text=True)
