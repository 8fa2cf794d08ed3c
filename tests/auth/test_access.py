"""Every role against the back office and each model view: allowed, or a proper 403 page."""
import pytest

ADMIN_PAGES = ["/admin/", "/admin/users/", "/admin/users/new/", "/admin/coaches/", "/admin/coaches/new/",
               "/admin/consultation_types/", "/admin/consultation_types/new/"]

ALLOWED = {
    "admin": set(ADMIN_PAGES),
    "support": {"/admin/"},
    "coach": {"/admin/"},
    "customer": set(),
}


@pytest.mark.parametrize("role", ["admin", "support", "coach", "customer"])
def test_each_role_gets_exactly_its_pages(auth, make_user, role):
    make_user(role=role, email=f"{role}@example.com")
    auth.login(f"{role}@example.com")
    for page in ADMIN_PAGES:
        response = auth.client.get(page)
        expected = 200 if page in ALLOWED[role] else 403
        assert response.status_code == expected, (role, page)
        if expected == 403:
            assert "Not allowed" in response.get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_login(client):
    for page in ADMIN_PAGES:
        response = client.get(page)
        assert response.status_code == 302 and "/login" in response.location


def test_forbidden_role_cannot_post_to_a_model_view(auth, make_user):
    from bookingadmin.auth.models import User
    from bookingadmin.extensions import db

    make_user(role="support", email="s@example.com")
    auth.login("s@example.com")
    response = auth.client.post("/admin/users/new/", data={"name": "X", "email": "x@example.com",
                                                           "role": "admin", "timezone": "UTC"})
    assert response.status_code in (400, 403)
    assert db.session.scalar(db.select(User).where(User.email == "x@example.com")) is None


def test_permissions_cover_every_role():
    from bookingadmin.auth.permissions import PERMISSIONS, ROLE_PERMISSIONS, ROLES

    assert set(ROLE_PERMISSIONS) == set(ROLES)
    assert ROLE_PERMISSIONS["admin"] == frozenset(PERMISSIONS)
    assert "backoffice.access" not in ROLE_PERMISSIONS["customer"]
