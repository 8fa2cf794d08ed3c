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

    def create(email: str):
        token = auth.csrf_token("/admin/")  # a valid token: only the permission can refuse the post
        return auth.client.post("/admin/users/new/", data={
            "csrf_token": token, "name": "X", "email": email, "role": "admin", "language": "en",
            "timezone": "UTC", "new_password": "long-enough-password"})

    def created(email: str) -> bool:
        return db.session.scalar(db.select(User).where(User.email == email)) is not None

    make_user(role="support", email="s@example.com")
    auth.login("s@example.com")
    response = create("x@example.com")
    assert response.status_code == 403 and "Not allowed" in response.get_data(as_text=True)
    assert not created("x@example.com")
    auth.logout()
    make_user(role="admin", email="a@example.com")  # the same post from an admin does create the account
    auth.login("a@example.com")
    assert create("y@example.com").status_code == 302 and created("y@example.com")


def test_permissions_cover_every_role():
    from bookingadmin.auth.permissions import PERMISSIONS, ROLE_PERMISSIONS, ROLES

    assert set(ROLE_PERMISSIONS) == set(ROLES)
    assert ROLE_PERMISSIONS["admin"] == frozenset(PERMISSIONS)
    assert "backoffice.access" not in ROLE_PERMISSIONS["customer"]
