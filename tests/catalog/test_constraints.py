"""The database itself refuses impossible catalog rows, whichever code path writes them."""
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from bookingadmin.catalog.models import ConsultationType, DurationOption
from bookingadmin.extensions import db


def _type(**fields):
    values = dict(number=1, title_en="T", title_ar="ت", category="sports", currency="USD")
    values.update(fields)
    return ConsultationType(**values)


@pytest.mark.parametrize("fields", [
    {"capacity": 0}, {"category": "astrology"}, {"currency": "GBP"}, {"buffer_before_minutes": -1},
    {"slot_step_minutes": 7}, {"refund_partial_percent": 120}, {"horizon_days": 0},
])
def test_impossible_type_is_refused(app, fields):
    db.session.add(_type(**fields))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("minutes,price", [(0, "10"), (30, "-1")])
def test_impossible_duration_option_is_refused(app, minutes, price):
    ctype = _type()
    ctype.duration_options = [DurationOption(minutes=minutes, price=Decimal(price))]
    db.session.add(ctype)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_type_numbers_and_durations_are_unique(app):
    first = _type()
    first.duration_options = [DurationOption(minutes=30, price=Decimal("5")), DurationOption(minutes=30, price=Decimal("6"))]
    db.session.add(first)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add_all([_type(number=5), _type(number=5)])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_prices_stay_exact(app):
    ctype = _type()
    ctype.duration_options = [DurationOption(minutes=45, price=Decimal("149.99"), is_default=True)]
    db.session.add(ctype)
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(db.select(DurationOption.price)) == Decimal("149.99")


def test_no_daily_limit_stays_no_limit(app):
    db.session.add(_type(max_bookings_per_day=None))
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(db.select(ConsultationType.max_bookings_per_day)) is None
