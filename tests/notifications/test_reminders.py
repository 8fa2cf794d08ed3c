"""Reminders: planned 24 h and 1 h before, recorded on the booking, never twice, never for a cancelled
or completed booking, planned again when the booking moves."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bookingadmin.bookings import lifecycle
from bookingadmin.core.clock import utcnow
from bookingadmin.core.outbox import OutboxJob
from bookingadmin.extensions import db
from bookingadmin.notifications.models import Notification
from bookingadmin.notifications.reminders import plan_missing_reminders, send_due_reminders
from tests.factories import local_time
from tests.notifications.helpers import body_text, by_kind, read_outbox


def reminders(booking) -> list[Notification]:
    return list(db.session.scalars(select(Notification).join(OutboxJob).where(
        Notification.booking_id == booking.id, Notification.kind == "reminder").order_by(OutboxJob.due_at)))


def delete_reminders() -> None:
    """As for bookings confirmed before reminders existed: neither the emails nor their jobs."""
    db.session.execute(Notification.__table__.delete().where(Notification.kind == "reminder"))
    db.session.execute(OutboxJob.__table__.delete().where(OutboxJob.key.like("reminder:%")))


def test_a_confirmed_booking_gets_reminders_24h_and_1h_before(app, make_booking):
    booking = make_booking("confirmed")
    planned = reminders(booking)
    assert [(r.payload["offset_hours"], r.status) for r in planned] == [(24, "queued"), (1, "queued")]
    assert [booking.starts_at - r.due_at for r in planned] == [timedelta(hours=24), timedelta(hours=1)]


def test_the_reminder_sweep_run_twice_sends_one_reminder(app, smtp, make_booking):
    booking = make_booking("confirmed")
    smtp.clear()
    moment = booking.starts_at - timedelta(hours=23)  # the 24 h reminder is due, the 1 h one not yet
    send_due_reminders(moment)
    send_due_reminders(moment)
    [message] = smtp.wait_for(1)
    assert message["X-Bookingadmin-Kind"] == "reminder"
    assert "starts in 24 hours" in message["Subject"]
    assert booking.number in body_text(message)
    send_due_reminders(booking.starts_at - timedelta(minutes=30))
    send_due_reminders(booking.starts_at - timedelta(minutes=20))
    assert [m["Subject"] for m in smtp.wait_for(2)][1].endswith("starts in 1 hour")
    assert len(smtp.messages) == 2
    assert [r.status for r in reminders(booking)] == ["sent", "sent"]


def test_no_reminder_for_a_cancelled_booking(app, make_booking):
    booking = make_booking("confirmed")
    lifecycle.cancel(booking, actor=None, now=utcnow(), reason="Ill", by="customer")
    db.session.commit()
    assert {r.status for r in reminders(booking)} == {"cancelled"}
    send_due_reminders(booking.starts_at - timedelta(minutes=30))
    assert by_kind(read_outbox(app), "reminder") == []


def test_a_reminder_whose_booking_changed_under_it_is_not_sent(app, make_booking):
    booking = make_booking("confirmed")
    [day_before, _] = reminders(booking)
    booking.status = "no_show"  # changed behind the planner's back: the send-time check still holds
    db.session.commit()
    send_due_reminders(day_before.due_at + timedelta(minutes=1))
    db.session.expire_all()
    assert day_before.status == "cancelled" and "no_show" in day_before.last_error
    assert by_kind(read_outbox(app), "reminder") == []


def test_completed_booking_reminders_are_cancelled(app, make_booking):
    booking = make_booking("completed")  # confirmed days ahead (reminders planned), then completed
    assert [(r.payload["offset_hours"], r.status) for r in reminders(booking)] == [(24, "cancelled"), (1, "cancelled")]


def test_rescheduling_plans_the_reminders_again(app, make_booking):
    booking = make_booking("confirmed")
    old = {r.id for r in reminders(booking)}
    new_start = booking.starts_at + timedelta(days=2)
    lifecycle.reschedule(booking, starts_at=new_start, actor=None, now=utcnow(), reason="Clash")
    db.session.commit()
    by_status = {}
    for r in reminders(booking):
        by_status.setdefault(r.status, []).append(r)
    assert {r.id for r in by_status["cancelled"]} == old
    assert sorted(new_start - r.due_at for r in by_status["queued"]) == [timedelta(hours=1), timedelta(hours=24)]
    # moved back to the first time: the cancelled reminders come back, nothing is duplicated
    lifecycle.reschedule(booking, starts_at=new_start - timedelta(days=2), actor=None, now=utcnow(), reason="Back")
    db.session.commit()
    assert len(reminders(booking)) == 4
    assert {r.id for r in reminders(booking) if r.status == "queued"} == old


def test_offsets_are_configurable(app, make_booking):
    app.config["REMINDER_OFFSETS_HOURS"] = [48, 2]
    booking = make_booking("confirmed", starts_at=local_time("Asia/Riyadh", days=5, at="11:00"))
    assert [r.payload["offset_hours"] for r in reminders(booking)] == [48, 2]


def test_send_reminders_plans_for_bookings_that_lack_them(app, make_booking):
    booking = make_booking("confirmed")
    delete_reminders()
    db.session.commit()
    assert plan_missing_reminders(booking.starts_at - timedelta(days=2)) == 0  # only the next 25 hours are looked at
    day_ahead = booking.starts_at - timedelta(hours=24, minutes=30)
    assert plan_missing_reminders(day_ahead) == 2
    assert plan_missing_reminders(day_ahead) == 0
    db.session.commit()
    assert len(reminders(booking)) == 2


def test_a_reminder_whose_time_has_passed_is_not_planned(app, make_booking):
    booking = make_booking("confirmed")
    from bookingadmin.notifications.reminders import plan_reminders

    delete_reminders()
    planned = plan_reminders(booking, now=booking.starts_at - timedelta(hours=3))  # booked 3 hours ahead
    assert [r.payload["offset_hours"] for r in planned] == [1]


def test_cli_send_reminders_twice_one_email(app, make_booking):
    runner = app.test_cli_runner()
    booking = make_booking("confirmed")
    [day_before, _] = reminders(booking)
    day_before.job.due_at = utcnow() - timedelta(minutes=1)  # as if the time had come
    db.session.commit()
    for _ in range(2):
        result = runner.invoke(args=["send-reminders"])
        assert result.exit_code == 0, result.output
    assert len(by_kind(read_outbox(app), "reminder")) == 1
