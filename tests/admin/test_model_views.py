"""The admin's plain views validate input: bad values re-render with a field message and save nothing."""
import re
from decimal import Decimal

import pytest

from bookingadmin.auth.models import User
from bookingadmin.catalog.models import CoachProfile, ConsultationType
from bookingadmin.extensions import db


@pytest.fixture
def admin_client(auth, make_user):
    make_user(role="admin", email="admin@example.com")
    auth.login("admin@example.com")
    return auth


def _form_token(auth, path):
    page = auth.client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _type_form(**changes):
    data = {"number": "201", "title_en": "Strength", "title_ar": "قوة", "category": "sports", "currency": "USD",
            "meeting_mode": "online", "capacity": "1", "slot_step_minutes": "15", "buffer_before_minutes": "0",
            "buffer_after_minutes": "0", "min_notice_minutes": "60", "horizon_days": "30",
            "max_bookings_per_day": "5", "refund_full_hours": "48", "refund_partial_hours": "24",
            "refund_partial_percent": "50", "reschedule_min_hours": "24", "is_active": "y",
            "duration_options-0-minutes": "60", "duration_options-0-price": "90.00",
            "duration_options-0-is_default": "y"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _post_type(admin_client, **changes):
    data = _type_form(**changes)
    data["csrf_token"] = _form_token(admin_client, "/admin/consultation_types/new/")
    return admin_client.client.post("/admin/consultation_types/new/", data=data)


def test_admin_creates_a_consultation_type_with_its_duration_price(admin_client):
    response = _post_type(admin_client)
    assert response.status_code == 302
    ctype = db.session.scalar(db.select(ConsultationType))
    assert [(o.minutes, o.price, o.is_default) for o in ctype.duration_options] == [(60, Decimal("90.00"), True)]


@pytest.mark.parametrize("changes,message", [
    ({"duration_options-0-minutes": None, "duration_options-0-price": None, "duration_options-0-is_default": None},
     "at least one duration"),
    ({"duration_options-0-price": "-5"}, "cannot be negative"),
    ({"duration_options-0-minutes": "0"}, "more than 0 minutes"),
    ({"capacity": "0"}, "at least 1"),
    ({"refund_partial_hours": "72"}, "partial-refund window"),
])
def test_bad_consultation_type_is_refused_with_a_message(admin_client, changes, message):
    response = _post_type(admin_client, **changes)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ConsultationType.id))) == 0


def _post_user(admin_client, **changes):
    data = {"name": "New Coach", "email": "new@example.com", "phone": "+201001234567", "role": "coach",
            "language": "en", "timezone": "Africa/Cairo", "active": "y", "new_password": "long-enough-pw"}
    data.update(changes)
    data["csrf_token"] = _form_token(admin_client, "/admin/users/new/")
    return admin_client.client.post("/admin/users/new/", data=data)


def test_admin_creates_a_user_with_a_hashed_password(admin_client):
    assert _post_user(admin_client).status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "new@example.com"))
    assert user.role == "coach" and user.check_password("long-enough-pw")


@pytest.mark.parametrize("changes,message", [
    ({"email": "ADMIN@example.com"}, "already uses this email"),
    ({"phone": "12345"}, "country code"),
    ({"timezone": "Nowhere/City"}, "time zone"),
    ({"new_password": ""}, "at least 10"),
    ({"new_password": "password1234"}, "commonly used"),
])
def test_bad_user_is_refused_with_a_message(admin_client, changes, message):
    response = _post_user(admin_client, **changes)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_coach_profile_gets_a_unique_slug_from_the_name(admin_client, make_user):
    first, second = make_user(role="coach"), make_user(role="coach")
    for user in (first, second):
        data = {"user": str(user.id), "display_name_en": "Sara Ali", "timezone": "Asia/Riyadh", "is_active": "y"}
        data["csrf_token"] = _form_token(admin_client, "/admin/coaches/new/")
        assert admin_client.client.post("/admin/coaches/new/", data=data).status_code == 302
    assert sorted(db.session.scalars(db.select(CoachProfile.slug))) == ["sara-ali", "sara-ali-2"]


def test_coach_profile_with_a_bad_time_zone_is_refused(admin_client, make_user):
    user = make_user(role="coach")
    data = {"user": str(user.id), "display_name_en": "Omar", "timezone": "Cairo", "is_active": "y",
            "csrf_token": _form_token(admin_client, "/admin/coaches/new/")}
    response = admin_client.client.post("/admin/coaches/new/", data=data)
    assert "time zone" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(CoachProfile.id))) == 0
