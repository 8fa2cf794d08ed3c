"""The worker's periodic upkeep: every domain's task runs on its own interval; one failure stops nothing."""
from datetime import timedelta

from bookingadmin.bookings.models import Booking
from bookingadmin.core.clock import utcnow
from bookingadmin.core.periodic import periodic_tasks, register_periodic, run_due_tasks
from bookingadmin.extensions import db


def test_every_domain_registers_its_upkeep(app):
    assert {t.name for t in periodic_tasks(app)} >= {
        "expire-holds", "outbox-sweep", "send-reminders", "refresh-analytics"}
    assert "payments-retry" not in {t.name for t in periodic_tasks(app)}  # the one sweep retries Stripe calls


def test_tasks_run_on_their_interval_and_a_failure_stops_nothing(app):
    app.extensions["bookingadmin_periodic"] = []
    calls = []

    def broken(now):
        raise RuntimeError("boom")

    register_periodic(app, "broken", broken, every_seconds=10)
    register_periodic(app, "often", lambda now: calls.append(("often", now)), every_seconds=10)
    register_periodic(app, "rarely", lambda now: calls.append(("rarely", now)), every_seconds=600)
    last_runs: dict = {}
    start = utcnow()
    assert run_due_tasks(app, start, last_runs) == ["often", "rarely"]
    assert run_due_tasks(app, start + timedelta(seconds=5), last_runs) == []
    assert run_due_tasks(app, start + timedelta(seconds=11), last_runs) == ["often"]
    assert [name for name, _ in calls] == ["often", "rarely", "often"]


def test_worker_burst_without_redis_expires_holds(app, make_booking):
    booking = make_booking("pending_payment")
    booking_id, expired = booking.id, booking.hold_expires_at
    db.session.execute(db.update(Booking).where(Booking.id == booking_id)
                       .values(hold_expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert expired is not None
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    held = db.session.get(Booking, booking_id)
    assert held.status == "cancelled" and held.cancelled_by == "system"
