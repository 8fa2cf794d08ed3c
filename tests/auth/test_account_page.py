"""The account page through its forms: details and preferences, password, email address, sessions."""
from __future__ import annotations

import re

import pytest

from bookingadmin.auth.models import User
from bookingadmin.extensions import db
from tests.conftest import AuthActions

from .mailbox import emails, link, recipients, text

NEW = "violet-harbour-cinnamon-42"
PROFILE = {"name": "Noura Saleh", "phone": "+966 50 123 4567", "language": "ar", "timezone": "Africa/Cairo",
           "email_reminders": "y"}


@pytest.fixture
def noura(make_user):
    return make_user(email="noura@example.com", name="Noura Test", phone="+966501111111", timezone="Asia/Riyadh")


def _signed_in(app, email="noura@example.com", password="correct-horse") -> AuthActions:
    actions = AuthActions(app.test_client())
    assert actions.login(email, password).status_code == 302
    return actions


def _post(actions: AuthActions, path: str, **data):
    data["csrf_token"] = actions.csrf_token("/account")
    return actions.client.post(path, data=data)


def _me(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def _signed_in_now(actions: AuthActions) -> bool:
    return 'action="/logout"' in actions.client.get("/").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_log_in(client):
    assert client.get("/account").status_code == 302


def test_the_navigation_links_the_account_page_and_it_shows_the_details(app, noura):
    me = _signed_in(app)
    home = me.client.get("/").get_data(as_text=True)
    assert 'href="/account"' in home
    page = me.client.get("/account").get_data(as_text=True)
    assert 'value="Noura Test"' in page and 'value="Asia/Riyadh"' in page and "noura@example.com" in page
    assert '<option value="Europe/London">' in page  # the searchable list of zones
    assert "js/account-zone.js" in page


def test_details_and_reminders_are_saved(app, noura):
    me = _signed_in(app)
    answer = _post(me, "/account", **{**PROFILE, "email_reminders": ""})
    assert answer.status_code == 302
    user = _me(noura.id)
    assert (user.name, user.phone, user.language, user.timezone, user.email_reminders) == (
        "Noura Saleh", "+966501234567", "ar", "Africa/Cairo", False)
    assert 'dir="rtl"' in me.client.get("/account").get_data(as_text=True)
    _post(me, "/account", **PROFILE)
    assert _me(noura.id).email_reminders is True


@pytest.mark.parametrize("field,value,message", [
    ("timezone", "Mars/Olympus", "time zone"),
    ("timezone", "Riyadh time", "time zone"),
    ("phone", "0501234567", "country code"),
    ("name", "", "required"),
    ("language", "fr", "not a valid choice"),
])
def test_bad_details_rerender_with_the_message_on_the_field_and_change_nothing(app, noura, field, value, message):
    me = _signed_in(app)
    answer = _post(me, "/account", **{**PROFILE, field: value})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert re.search(rf'data-field-error="{field}">[^<]*{message}', page, re.I), page
    user = _me(noura.id)
    assert (user.name, user.timezone, user.language) == ("Noura Test", "Asia/Riyadh", "en")


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(app, noura):
    other = _signed_in(app)
    me = _signed_in(app)
    answer = _post(me, "/account/password", current_password="correct-horse", new_password=NEW)
    assert answer.status_code == 302
    assert _signed_in_now(me)
    assert not _signed_in_now(other)
    assert AuthActions(app.test_client()).login("noura@example.com").status_code == 400
    assert AuthActions(app.test_client()).login("noura@example.com", NEW).status_code == 302
    [notice] = emails(app, "password_changed")
    assert recipients(notice) == ["noura@example.com"]


@pytest.mark.parametrize("current,new,field,message", [
    ("wrong-password", NEW, "current_password", "not your current password"),
    ("correct-horse", "short", "new_password", "at least"),
    ("correct-horse", "password1234", "new_password", "commonly used"),
])
def test_a_refused_password_change_changes_nothing(app, noura, current, new, field, message):
    other = _signed_in(app)
    me = _signed_in(app)
    answer = _post(me, "/account/password", current_password=current, new_password=new)
    assert answer.status_code == 400
    assert re.search(rf'data-field-error="{field}">[^<]*{message}', answer.get_data(as_text=True))
    assert _me(noura.id).check_password("correct-horse")
    assert _signed_in_now(other) and _signed_in_now(me)


def test_the_email_changes_only_when_the_link_sent_to_the_new_address_is_opened(app, noura):
    me = _signed_in(app)
    assert _post(me, "/account/email", email="Noura.New@Example.com").status_code == 302
    assert _me(noura.id).email == "noura@example.com"  # not yet
    [message] = emails(app, "email_change")
    assert recipients(message) == ["noura.new@example.com"]
    path = link(message, "/account/email/")
    opened = app.test_client().get(path)  # works in another browser, without signing in
    assert opened.status_code == 302
    assert _me(noura.id).email == "noura.new@example.com"
    [notice] = emails(app, "email_changed")
    assert recipients(notice) == ["noura@example.com"] and "noura.new@example.com" in text(notice)
    again = app.test_client().get(path)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    assert AuthActions(app.test_client()).login("noura.new@example.com").status_code == 302


def test_an_email_change_link_is_refused_when_tampered_or_the_address_was_taken_meanwhile(app, noura, make_user):
    me = _signed_in(app)
    _post(me, "/account/email", email="taken@example.com")
    path = link(emails(app, "email_change")[0], "/account/email/")
    tampered = app.test_client().get(path[:-3] + "abc")
    assert tampered.status_code == 400 and "not valid" in tampered.get_data(as_text=True)
    make_user(email="taken@example.com")
    taken = app.test_client().get(path)
    assert taken.status_code == 400 and "Nothing was changed" in taken.get_data(as_text=True)
    assert _me(noura.id).email == "noura@example.com"


@pytest.mark.parametrize("value,message", [("not-an-email", "email"), ("noura@example.com", "already your")])
def test_a_bad_new_email_rerenders_with_the_message_on_the_field(app, noura, value, message):
    me = _signed_in(app)
    answer = _post(me, "/account/email", email=value)
    assert answer.status_code == 400
    assert re.search(rf'data-field-error="email">[^<]*{message}', answer.get_data(as_text=True), re.I)
    assert emails(app, "email_change") == []


def test_sign_out_everywhere_asks_first_then_ends_every_session(app, noura):
    other = _signed_in(app)
    me = _signed_in(app)
    ask = me.client.get("/account/sign-out-everywhere")
    assert ask.status_code == 200 and "confirm-sign-out-everywhere" in ask.get_data(as_text=True)
    assert _signed_in_now(me) and _signed_in_now(other)  # asking changes nothing
    token = me.csrf_token("/account/sign-out-everywhere")
    done = me.client.post("/account/sign-out-everywhere", data={"csrf_token": token})
    assert done.status_code == 302
    assert not _signed_in_now(me) and not _signed_in_now(other)


def test_staff_may_use_the_account_page(app, make_user):
    make_user(role="coach", email="coach@example.com")
    me = _signed_in(app, "coach@example.com")
    assert me.client.get("/account").status_code == 200


def test_reminders_turned_off_on_the_account_page_are_not_sent(app, make_booking):
    from datetime import timedelta

    from bookingadmin.notifications.reminders import send_due_reminders

    booking = make_booking("confirmed")
    customer = booking.customer
    me = _signed_in(app, customer.email)
    profile = {"name": customer.name, "phone": customer.phone or "", "language": customer.language,
               "timezone": customer.timezone, "email_reminders": ""}
    assert _post(me, "/account", **profile).status_code == 302
    send_due_reminders(booking.starts_at - timedelta(minutes=30))
    assert emails(app, "reminder") == []
    from bookingadmin.notifications.models import Notification

    db.session.expire_all()
    skipped = db.session.scalars(db.select(Notification).where(Notification.kind == "reminder")).all()
    assert skipped and all("turned reminder emails off" in (row.last_error or "") for row in skipped
                           if row.status == "cancelled")
    assert any(row.status == "cancelled" for row in skipped)


def test_reminders_left_on_are_sent(app, make_booking):
    from datetime import timedelta

    from bookingadmin.notifications.reminders import send_due_reminders

    booking = make_booking("confirmed")
    send_due_reminders(booking.starts_at - timedelta(minutes=30))
    assert len(emails(app, "reminder")) >= 1
