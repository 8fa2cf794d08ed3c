"""The flows shared by every entry point: cancel / reject with the refund, reschedule options,
"any available coach" times and a customer's bookings by tab."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bookingadmin.bookings import lifecycle, operations
from bookingadmin.core.clock import utcnow
from bookingadmin.core.errors import Conflict, DomainError
from bookingadmin.extensions import db
from bookingadmin.payments import services as payments
from bookingadmin.payments.models import Refund
from tests.factories import local_time


def _paid_in_cash(make_booking, **kwargs):
    """A booking paid with a recorded cash payment (a Payment row payments can refund)."""
    booking = make_booking("pending_payment", **kwargs)
    payments.record_manual_payment(booking, amount=booking.amount, method="cash", actor=None, now=utcnow())
    db.session.commit()
    return booking


def _refunds(booking) -> list[Refund]:
    return list(db.session.scalars(db.select(Refund).where(Refund.booking_id == booking.id).order_by(Refund.id)))


def test_cancel_gives_back_the_policy_share_through_payments(app, make_booking):
    booking = _paid_in_cash(make_booking, starts_at=local_time("Asia/Riyadh", days=10, at="10:00"))
    now = booking.starts_at - timedelta(hours=30)  # the default policy: 50% between 24 and 48 hours
    assert operations.refund_quote(booking, now) == operations.RefundQuote(Decimal("45.00"), 50, Decimal("45.00"))
    result = operations.cancel_booking(booking, actor=booking.customer, now=now, reason="Travelling", by="customer")
    db.session.commit()
    assert (result.refund_amount, result.refund_percent, result.refunded) == (Decimal("45.00"), 50, Decimal("45.00"))
    [refund] = _refunds(booking)
    assert (refund.amount, refund.source, refund.status, refund.created_by_id) == (
        Decimal("45.00"), "cancellation", "succeeded", booking.customer_id)
    assert booking.status == "cancelled" and booking.payment_status == "partially_refunded"
    assert booking.events[-1].data["refund_amount"] == "45.00"  # the audit row keeps what was decided


def test_the_lifecycle_alone_moves_no_money(app, make_booking):
    """Status and money are separate steps: only the operation (or staff) refunds."""
    booking = _paid_in_cash(make_booking)
    result = lifecycle.cancel(booking, actor=None, now=utcnow(), reason="Plans changed", by="staff")
    db.session.commit()
    assert result.refund_amount == Decimal("90.00") and _refunds(booking) == []


def test_the_refund_is_capped_by_what_is_left(app, make_booking, make_user):
    booking = _paid_in_cash(make_booking)
    support = make_user("support")
    payments.issue_refund(booking, amount="60.00", reason="Coach was late", actor=support, now=utcnow(),
                          idempotency_key="goodwill")
    db.session.commit()
    result = operations.cancel_booking(booking, actor=support, now=utcnow(), reason="Coach ill", by="staff")
    db.session.commit()
    assert (result.refund_amount, result.refunded) == (Decimal("90.00"), Decimal("30.00"))
    assert [r.amount for r in _refunds(booking)] == [Decimal("60.00"), Decimal("30.00")]
    assert booking.payment_status == "refunded"


def test_nothing_paid_nothing_refunded(app, make_booking):
    booking = make_booking("pending_payment")
    result = operations.cancel_booking(booking, actor=booking.customer, now=utcnow(), reason="x", by="customer")
    db.session.commit()
    assert (result.refund_amount, result.refunds) == (Decimal("0.00"), ())


def test_a_refused_cancellation_changes_nothing(app, make_booking):
    booking = _paid_in_cash(make_booking)
    with pytest.raises(Conflict):
        operations.cancel_booking(booking, actor=booking.customer, now=booking.starts_at + timedelta(minutes=1),
                                  reason="Too late", by="customer")
    db.session.rollback()
    assert booking.status == "confirmed" and _refunds(booking) == []


def test_reject_gives_back_everything(app, factories, make_booking, make_user):
    booking = _paid_in_cash(make_booking, ctype=factories.default_catalog.approval)
    assert booking.status == "pending_confirmation"
    admin = make_user("admin")
    result = operations.reject_booking(booking, actor=admin, now=utcnow(), reason="Outside our expertise")
    db.session.commit()
    assert (result.refunded, result.refund_percent) == (Decimal("300.00"), 100)
    [refund] = _refunds(booking)
    assert (refund.amount, refund.source) == (Decimal("300.00"), "rejection")
    assert booking.status == "cancelled" and booking.cancelled_by == "staff"


def test_reschedule_options_offer_the_bookings_own_time(app, make_booking):
    booking = make_booking("confirmed", starts_at=local_time("Asia/Riyadh", days=5, at="10:00"))
    day = booking.starts_at.astimezone(ZoneInfo("Asia/Riyadh")).date()
    times = operations.reschedule_times(booking, start=day, end=day, viewer_tz="Asia/Riyadh", now=utcnow())
    starts = {t.starts_at for t in times}
    assert booking.starts_at in starts  # its own time is not busy for itself
    assert booking.starts_at + timedelta(minutes=15) in starts
    assert day in operations.reschedule_dates(booking, year=day.year, month=day.month, viewer_tz="Asia/Riyadh",
                                              now=utcnow())


def test_any_coach_prefers_the_best_rated_free_coach(app, factories, make_booking):
    zone = ZoneInfo("Asia/Riyadh")
    best = factories.coach(timezone="Asia/Riyadh", hours=[(d, "09:00", "12:00") for d in range(7)],
                           rating=Decimal("4.8"))
    other = factories.coach(timezone="Asia/Riyadh", hours=[(d, "09:00", "12:00") for d in range(7)],
                            rating=Decimal("4.1"))
    ctype = factories.type(coaches=[other, best], options=((60, "90.00"),))
    day = (utcnow() + timedelta(days=4)).astimezone(zone).date()
    make_booking("confirmed", coach=best, ctype=ctype, starts_at=datetime.combine(day, time(9, 0), tzinfo=zone))
    assert [c.id for c in operations.bookable_coaches(ctype)] == [best.id, other.id]
    times = operations.any_coach_times(ctype, duration_minutes=60, start=day, end=day, viewer_tz="Asia/Riyadh",
                                       now=utcnow())
    who = {t.time.starts_at.astimezone(zone).time(): t.coach_id for t in times}
    assert who[time(9, 0)] == other.id and who[time(10, 0)] == best.id and who[time(11, 0)] == best.id
    assert [t.time.starts_at for t in times] == sorted(t.time.starts_at for t in times)


def test_offered_type_names_the_field(app, make_booking):
    ctype = make_booking("confirmed").consultation_type
    with pytest.raises(DomainError) as refused:
        operations.offered_type(ctype.id, 45)
    assert "duration_minutes" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        operations.offered_type(999_999, 60)
    assert "consultation_type_id" in refused.value.fields


def test_a_customers_bookings_by_tab(app, factories, make_booking):
    upcoming = make_booking("confirmed")
    held = make_booking("completed", starts_at=local_time(factories.default_catalog.coach, days=-3, at="10:00"))
    cancelled = make_booking("cancelled")
    now = utcnow()
    customer = upcoming.customer

    def numbers(tab):
        return [b.number for b in db.session.scalars(operations.customer_bookings(customer, tab, now))]

    assert numbers("upcoming") == [upcoming.number]
    assert numbers("past") == [held.number]
    assert numbers("cancelled") == [cancelled.number]
    with pytest.raises(DomainError):
        operations.customer_bookings(customer, "everything", now)
