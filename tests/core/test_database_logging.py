"""A database error never carries the statement's values into the log (hide_parameters): a failed
insert of an account logs neither its email, its phone nor its password hash."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from bookingadmin.auth.models import User
from bookingadmin.extensions import db


def test_a_failed_insert_logs_no_personal_values(app, make_user, caplog):
    existing = make_user(email="taken@example.com", phone="+966501234567")
    twin = User(email="taken@example.com", name="Twin", phone="+966551234567", role="customer")
    twin.set_password("Vivid-Orchard-Lantern-42")
    db.session.add(twin)
    with caplog.at_level(logging.INFO):
        with pytest.raises(IntegrityError) as failure:
            db.session.flush()
        logging.getLogger("bookingadmin").exception("insert failed")
    db.session.rollback()
    logged = caplog.text + str(failure.value)
    assert "taken@example.com" not in logged and "+966551234567" not in logged
    assert twin.password_hash not in logged and twin.password_hash.split("$")[-1] not in logged
    assert "hidden due to hide_parameters" in logged  # the statement itself is still there to debug
    assert existing.email == "taken@example.com"
