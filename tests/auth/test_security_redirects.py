"""`next` sends the browser only to a path on this site (language switch, login, registration);
CR or LF in it is a 400, never a 500."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.conftest import AuthActions

# What a browser makes of each: tabs and newlines dropped, "\" read as "/"; all lead off the site.
OFF_SITE = ["/%09/evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/x",
            "%09//evil.example", " //evil.example", "javascript:alert(1)", "http:evil.example"]
# A NUL is refused like a line break: the bad-input guard answers 400 before any redirect is made.
LINE_BREAKS = ["/%0d%0aSet-Cookie:%20x=1", "/%0aLocation:%20//evil.example", "/ok%0d", "/%00/evil.example"]


def _browser_target(location: str) -> str:
    return location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_stays_on_the_site(client, target):
    response = client.get(f"/language/en?next={target}")
    assert response.status_code == 302
    assert response.location == "/"
    assert not _browser_target(response.headers["Location"]).startswith("//")


def test_the_language_switch_follows_a_path_on_the_site(client):
    response = client.get("/language/ar?next=" + quote("/consultations/3?tab=coaches"))
    assert response.location == "/consultations/3?tab=coaches"


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_stays_on_the_site(client, make_user, target):
    make_user(email="c@example.com")
    token = AuthActions(client).csrf_token("/login")
    response = client.post(f"/login?next={target}",
                           data={"email": "c@example.com", "password": "correct-horse", "csrf_token": token})
    assert response.status_code == 302 and response.location == "/"


def test_login_follows_a_path_on_the_site(client, make_user):
    make_user(email="c@example.com")
    token = AuthActions(client).csrf_token("/login")
    response = client.post("/login?next=/my/bookings",
                           data={"email": "c@example.com", "password": "correct-horse", "csrf_token": token})
    assert response.location == "/my/bookings"


@pytest.mark.parametrize("target", OFF_SITE)
def test_registration_stays_on_the_site(client, target):
    token = AuthActions(client).csrf_token("/register")
    data = {"name": "Some One", "email": "some@example.com", "phone": "+966501234567",
            "password": "long-enough-pw", "language": "en", "timezone": "Asia/Riyadh", "csrf_token": token}
    response = client.post(f"/register?next={target}", data=data)
    assert response.status_code == 302 and response.location == "/login"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_pages_never_link_on_to_another_site(client, target):
    for path, other in (("/login", "/register"), ("/register", "/login")):
        page = client.get(f"{path}?next={target}").get_data(as_text=True)
        links = re.findall(rf'href="({other}[^"]*)"', page)
        assert links and all("evil" not in link and "javascript" not in link for link in links)


@pytest.mark.parametrize("path", ["/language/en", "/login", "/register"])
@pytest.mark.parametrize("target", LINE_BREAKS)
def test_a_next_with_a_line_break_is_a_bad_request(client, path, target):
    assert client.get(f"{path}?next={target}").status_code == 400


def test_a_login_post_with_a_line_break_in_next_is_a_bad_request(client, make_user):
    make_user(email="c@example.com")
    token = AuthActions(client).csrf_token("/login")
    response = client.post("/login?next=/%0d%0aSet-Cookie:x=1",
                           data={"email": "c@example.com", "password": "correct-horse", "csrf_token": token})
    assert response.status_code == 400
    assert "Set-Cookie" not in str(response.headers.get("Location"))
