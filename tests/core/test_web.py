"""run_service: what a view sees when a service succeeds or refuses (commit, rollback, form, flash)."""
from __future__ import annotations

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from bookingadmin.auth.models import User
from bookingadmin.core.errors import DomainError
from bookingadmin.core.web import run_service
from bookingadmin.extensions import db


class NameForm(FlaskForm):
    name = StringField()
    hours = StringField()


def _rename(user_id: int, name: str, *, refuse: DomainError | None = None) -> None:
    """A stand-in service: changes a row, then maybe refuses."""
    db.session.get(User, user_id).name = name
    db.session.flush()
    if refuse is not None:
        raise refuse


def _name(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).name


def test_success_commits(app, make_user):
    user = make_user(name="Before")
    with app.test_request_context():
        with run_service() as ran:
            _rename(user.id, "After")
        assert ran and ran.error is None
        db.session.rollback()  # nothing left to undo: it was committed
        assert _name(user.id) == "After"


def test_a_refusal_rolls_back_and_lands_on_the_form(app, make_user):
    user = make_user(name="Before")
    with app.test_request_context(method="POST"):
        form = NameForm(meta={"csrf": False})
        refusal = DomainError("Please correct the highlighted fields",
                              fields={"name": "Too long", "hours[2]": "Ends before it starts", "other": "Elsewhere"})
        with run_service(form, fields=lambda n: "hours" if n.startswith("hours") else n) as ran:
            _rename(user.id, "After", refuse=refusal)
        assert not ran and ran.error is refusal
        assert _name(user.id) == "Before"
        assert form.name.errors == ["Too long"] and form.hours.errors == ["Ends before it starts"]
        assert get_flashed_messages(with_categories=True) == [("error", "Please correct the highlighted fields")]


def test_a_message_shown_on_its_field_is_not_flashed_again(app, make_user):
    user = make_user()
    with app.test_request_context(method="POST"):
        form = NameForm(meta={"csrf": False})
        with run_service(form):
            _rename(user.id, "x", refuse=DomainError.on_field("name", "Too short"))
        assert form.name.errors == ["Too short"] and get_flashed_messages() == []


def test_raise_mode_renames_fields_for_the_api_and_commits_nothing(app, make_user):
    user = make_user(name="Before")
    with app.test_request_context():
        with pytest.raises(DomainError) as raised:
            with run_service(fields={"intervals": "weekly_hours"}, prefix="rules.", reraise=True):
                _rename(user.id, "After", refuse=DomainError("Bad", fields={"intervals[2]": "Overlaps"}))
        assert raised.value.fields == {"rules.weekly_hours[2]": "Overlaps"}
        assert _name(user.id) == "Before"


def test_savepoints_keep_the_calls_that_succeeded(app, make_user):
    first, second = make_user(name="First"), make_user(name="Second")
    with app.test_request_context():
        with run_service(savepoint=True, show=False) as one:
            _rename(first.id, "First moved")
        with run_service(savepoint=True, show=False) as two:
            _rename(second.id, "Second moved", refuse=DomainError("No"))
        db.session.commit()
        assert (bool(one), bool(two)) == (True, False)
        assert (_name(first.id), _name(second.id)) == ("First moved", "Second")
        assert get_flashed_messages() == []


def test_other_errors_pass_through(app, make_user):
    user = make_user()
    with app.test_request_context():
        with pytest.raises(ZeroDivisionError):
            with run_service():
                _rename(user.id, "x")
                raise ZeroDivisionError
