"""Bad input in the back office (ids, filters, search boxes, names) is a 400/404 or a form error, never a 500."""
from __future__ import annotations

import pytest

from bookingadmin.auth.models import User
from bookingadmin.extensions import db
from tests.admin.conftest import csrf

HUGE = ("9999999999999", "99999999999999999999999")


def _plain_get_pages(app) -> list[str]:
    """Every back-office page reached by GET without a URL argument (lists, details, edit, tools)."""
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/admin/") and "GET" in rule.methods and "<" not in rule.rule
                   and "/ajax/" not in rule.rule})


@pytest.mark.parametrize("number", HUGE)
def test_ids_and_numbers_beyond_the_database_range_never_give_500(app, client, office, login, number):
    login(office.admin)
    answers = {}
    for page in _plain_get_pages(app):
        response = client.get(f"{page}?id={number}&coach={number}&page={number}&type={number}")
        answers[page] = response.status_code
    assert all(status in (200, 302, 400, 404) for status in answers.values()), answers
    for page in ("/admin/users/details/", "/admin/users/edit/", "/admin/customers/details/",
                 "/admin/bookings/details/", "/admin/coaches/edit/", "/admin/consultation_types/details/"):
        assert answers[page] in (302, 400, 404), (page, answers[page])  # "no such record", never the page


def test_a_nul_byte_in_a_search_box_is_400_with_a_message(app, client, office, login):
    login(office.admin)
    for page in ("/admin/users/", "/admin/customers/", "/admin/bookings/", "/admin/coaches/"):
        response = client.get(f"{page}?search=ann%00")
        assert response.status_code == 400, page
        assert "search" in response.get_data(as_text=True) and "NUL" in response.get_data(as_text=True)


def test_a_staff_form_refuses_a_name_with_line_breaks(app, client, office, login):
    login(office.admin)
    token = csrf(client, "/admin/users/new/")
    response = client.post("/admin/users/new/", data={
        "csrf_token": token, "name": "Coach\r\nBcc: all@example.com", "email": "newcoach@example.com",
        "role": "coach", "language": "en", "timezone": "Asia/Riyadh", "new_password": "Vivid-Orchard-Lantern-42"})
    assert response.status_code == 200 and "A name must fit on one line" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User).where(User.email == "newcoach@example.com")) is None
