"""A payment's status says "cancelled" like every other status; Stripe's "canceled" stays at the gateway."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bookingadmin.extensions import db
from bookingadmin.payments.gateway import payment_status_of
from bookingadmin.payments.models import PAYMENT_STATUSES, Payment


def test_the_gateway_maps_stripes_spelling():
    assert payment_status_of({"status": "canceled"}) == "cancelled"
    assert payment_status_of({"status": "requires_capture"}) == "authorized"
    assert payment_status_of({"status": "processing"}) == "pending"
    assert "cancelled" in PAYMENT_STATUSES and "canceled" not in PAYMENT_STATUSES


def _status(payment_id: int) -> str:
    with db.engine.connect() as conn:
        return conn.execute(sa.text("SELECT status FROM payments WHERE id = :id"), {"id": payment_id}).scalar_one()


def _set_status(payment_id: int, status: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE payments SET status = :s WHERE id = :id"), {"s": status, "id": payment_id})


def test_migration_0012_respells_stored_rows_and_the_check(app, make_booking):
    from flask_migrate import downgrade, upgrade

    booking = make_booking("cancelled")
    payment = Payment(booking=booking, method="cash", status="cancelled", amount=Decimal("10.00"),
                      currency=booking.currency)
    db.session.add(payment)
    db.session.commit()
    payment_id = payment.id
    db.session.remove()
    downgrade(revision="0014")
    assert _status(payment_id) == "canceled"
    with pytest.raises(IntegrityError):
        _set_status(payment_id, "cancelled")
    upgrade()
    assert _status(payment_id) == "cancelled"
    with pytest.raises(IntegrityError):
        _set_status(payment_id, "canceled")
    assert db.session.get(Payment, payment_id).status == "cancelled"
