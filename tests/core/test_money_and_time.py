from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from bookingadmin.core.money import format_money, from_minor_units, percent_of, quantize, to_minor_units


def test_minor_units_round_trip_exactly():
    assert to_minor_units(Decimal("90.00"), "USD") == 9000
    assert to_minor_units(Decimal("0.10") + Decimal("0.20"), "SAR") == 30
    assert from_minor_units(12345, "EGP") == Decimal("123.45")


def test_percent_rounds_half_up_to_the_minor_unit():
    assert percent_of(Decimal("90.05"), 50, "USD") == Decimal("45.03")
    assert quantize("10.005", "USD") == Decimal("10.01")


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity"])
def test_not_money_is_refused(bad):
    with pytest.raises(ValueError):
        quantize(bad, "USD")


def test_unknown_currency_is_refused():
    with pytest.raises(ValueError, match="GBP"):
        to_minor_units(Decimal("1"), "GBP")


def test_format_names_the_currency():
    assert format_money(Decimal("1500"), "SAR") == "1,500.00 SAR"


def test_naive_datetimes_are_refused_and_instants_come_back_in_utc(app, make_user):
    from bookingadmin.extensions import db

    user = make_user()
    user.last_login_at = datetime(2026, 3, 29, 1, 30)
    with pytest.raises(Exception, match="naive"):
        db.session.commit()
    db.session.rollback()
    riyadh = timezone(timedelta(hours=3))
    user = db.session.merge(user)
    user.last_login_at = datetime(2026, 3, 29, 4, 30, tzinfo=riyadh)
    db.session.commit()
    db.session.expire_all()
    assert user.last_login_at == datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)
    assert user.last_login_at.utcoffset() == timedelta(0)
