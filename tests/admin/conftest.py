"""Back-office fixtures: a catalog with two coaches, logins per role, page helpers."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from bookingadmin.auth.models import User
from bookingadmin.catalog.models import CoachProfile


@dataclass
class Office:
    """Two coaches, each with the default catalog's types; staff of every role; one customer."""

    cat: object  # tests.factories.Catalog
    other_coach: CoachProfile
    admin: User
    support: User
    customer: User

    @property
    def coach(self) -> CoachProfile:
        return self.cat.coach


@pytest.fixture
def office(factories, make_coach, make_user):
    cat = factories.default_catalog  # the catalog make_booking uses
    other = make_coach(timezone="Africa/Cairo", types=[cat.paid, cat.approval, cat.free])
    admin = make_user(role="admin", timezone="Asia/Riyadh")
    support = make_user(role="support", timezone="Europe/London")
    return Office(cat, other, admin, support, cat.customer)


@pytest.fixture
def login(auth):
    """login(user) signs the test client in as `user` (password correct-horse)."""

    signed_in = []

    def sign_in(user: User):
        if signed_in:
            auth.logout()
        signed_in.append(user)
        response = auth.login(user.email)
        assert response.status_code == 302, "login failed"
        return user

    return sign_in


def csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def post(client):
    """post(path, data, token_from=page) with a CSRF token read from a page the user may open."""

    def send(path: str, data: dict | None = None, *, token_from: str = "/admin/", **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", csrf(client, token_from))
        return client.post(path, data=payload, **kwargs)

    return send
