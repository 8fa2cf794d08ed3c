"""`flask rotate-encryption-keys`: intake re-encrypted under the newest key, readable with it alone."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from bookingadmin.bookings.models import Booking
from bookingadmin.extensions import db
from tests.conftest import make_app

INTAKE = {"conditions": "asthma", "medication": "salbutamol", "notes": "ضيق تنفس أحياناً"}


def _stored(booking_id: int) -> str:
    return db.session.execute(sa.text("SELECT intake_encrypted FROM bookings WHERE id = :id"),
                              {"id": booking_id}).scalar_one()


def test_rotation_moves_every_intake_to_the_new_key(app, make_booking, tmp_path):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app.config["DATA_ENCRYPTION_KEYS"] = old_key
    with_intake = [make_booking("confirmed", intake=INTAKE) for _ in range(3)]
    without = make_booking("confirmed")
    updated_at = {b.id: b.updated_at for b in with_intake}
    before = {b.id: _stored(b.id) for b in with_intake}
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.commit()

    rotating = make_app(url, tmp_path, DATA_ENCRYPTION_KEYS=f"{new_key},{old_key}")
    with rotating.app_context():
        result = rotating.test_cli_runner().invoke(args=["rotate-encryption-keys", "--batch-size", "2"])
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert "Re-encrypting the intake details of 3 bookings" in result.output
    assert "2/3" in result.output and "3/3" in result.output

    only_new = make_app(url, tmp_path, DATA_ENCRYPTION_KEYS=new_key)
    with only_new.app_context():
        for booking in with_intake:
            reloaded = db.session.get(Booking, booking.id)
            assert reloaded.intake == INTAKE
            assert reloaded.intake_encrypted != before[booking.id]
            assert reloaded.updated_at == updated_at[booking.id]
        assert db.session.get(Booking, without.id).intake == {}
        db.session.remove()
        db.engine.dispose()

    only_old = make_app(url, tmp_path, DATA_ENCRYPTION_KEYS=old_key)
    with only_old.app_context():
        with pytest.raises(RuntimeError, match="cannot be decrypted"):
            db.session.get(Booking, with_intake[0].id).intake
        db.session.remove()
        db.engine.dispose()
