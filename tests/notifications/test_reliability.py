"""Issue 16: mail retried like an MTA (a long outage loses nothing), one resend at a time, config
errors fail at once, counts that read as events."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bookingadmin.core import outbox as core_outbox
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db
from bookingadmin.notifications.health import worker_health
from bookingadmin.notifications.models import Notification
from tests.notifications.helpers import closed_port
from tests.support.services import SMTPServer


def emails(booking, kind: str | None = None) -> list[Notification]:
    """The booking's emails of `kind` (all but reminders without one)."""
    db.session.expire_all()
    which = Notification.kind == kind if kind else Notification.kind != "reminder"
    return list(db.session.scalars(select(Notification).where(Notification.booking_id == booking.id, which)
                                   .order_by(Notification.id)))


@pytest.mark.allow_smtp  # the server is down (a closed port), then comes back on that port
def test_an_outage_longer_than_the_old_budget_then_recovery_delivers_every_email_once(app, make_booking):
    port = closed_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USERNAME=None)
    booking = make_booking("pending_payment")
    rows = emails(booking)
    assert len(rows) == 2 and {r.status for r in rows} == {"queued"}
    moment = utcnow()
    for _ in range(8):  # 16 hours down: the old 5 tries would have failed them after ~15 minutes
        moment += timedelta(hours=2)
        core_outbox.sweep(moment)
    rows = emails(booking)
    assert {r.status for r in rows} == {"queued"} and min(r.attempts for r in rows) > 5
    assert all("ConnectionRefusedError" in r.last_error for r in rows)
    health = worker_health(moment)
    assert health["outbox"]["oldest_undelivered_email_age"] > timedelta(hours=15)
    assert any("oldest undelivered email has waited" in p for p in health["problems"])
    with SMTPServer(port=port) as server:
        moment += timedelta(hours=2)
        core_outbox.sweep(moment)
        core_outbox.sweep(moment + timedelta(hours=2))
        received = server.wait_for(2)
        assert sorted(m["To"].addresses[0].addr_spec for m in received) == sorted(r.recipient_email for r in rows)
        assert all(booking.number in m["Subject"] for m in received)
        assert len(server.messages) == 2  # once each
    assert {r.status for r in emails(booking)} == {"sent"}
    assert worker_health(moment)["outbox"]["oldest_undelivered_email_age"] is None


@pytest.mark.allow_smtp
def test_temporary_failures_stop_at_the_horizon(app, make_booking):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port(), MAIL_USE_TLS=False,
                      OUTBOX_RETRY_HORIZON_HOURS=5)
    booking = make_booking("pending_payment")
    moment = utcnow()
    for _ in range(5):
        moment += timedelta(hours=1, seconds=1)
        core_outbox.sweep(moment)
    [row, _] = emails(booking)
    assert row.status == "failed"
    assert row.last_error.startswith("gave up after") and "ConnectionRefusedError" in row.last_error
    assert row.job.finished_at - row.job.first_attempt_at <= timedelta(hours=5, minutes=1)  # sweeps run late


@pytest.mark.allow_smtp
def test_a_reminder_whose_moment_passed_during_an_outage_is_dropped_not_sent_late(app, make_booking):
    port = closed_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    booking = make_booking("confirmed")
    [day_before, hour_before] = sorted(emails(booking, "reminder"), key=lambda r: r.due_at)
    core_outbox.sweep(day_before.due_at + timedelta(seconds=1))  # the 24-hour one fails: server down
    assert emails(booking, "reminder")[0].status == "queued"
    with SMTPServer(port=port) as server:  # back 30 minutes before the start
        core_outbox.sweep(booking.starts_at - timedelta(minutes=30))
        server.wait_for(1)
        assert [m["X-Bookingadmin-Kind"] for m in server.messages] == ["reminder"]  # the 1-hour one only
    db.session.expire_all()
    assert day_before.status == "cancelled"
    assert "dropped, not sent late" in day_before.last_error
    assert hour_before.status == "sent"


@pytest.fixture
def second_app(app, tmp_path):
    """Another app on the same database, for threads that each hold their own connection."""
    from tests.conftest import make_app

    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path,
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 4, "max_overflow": 0})
    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.mark.postgres_only  # two transactions at once
def test_two_concurrent_resends_of_one_failed_email_send_one(app, second_app, smtp, make_booking, make_user):
    import threading

    import sqlalchemy as sa

    from bookingadmin.auth.models import User
    from bookingadmin.notifications.outbox import resend

    smtp.refuse_next(1, reply="550 5.1.1 No such mailbox")
    booking = make_booking("pending_payment")
    [failed] = [r for r in emails(booking) if r.status == "failed"]
    staff_id, failed_id = make_user("support").id, failed.id
    db.session.commit()
    second_app.config.update(MAIL_SERVER=smtp.host, MAIL_PORT=smtp.port, MAIL_USE_TLS=False, MAIL_USERNAME=None)
    before = len(smtp.messages)
    barrier, copies, errors = threading.Barrier(2), [], []

    def click() -> None:
        with second_app.app_context():
            try:
                db.session.execute(sa.select(1))
                barrier.wait(timeout=30)
                copy = resend(db.session.get(Notification, failed_id), actor=db.session.get(User, staff_id),
                              now=utcnow())
                db.session.commit()
                copies.append(copy.id)
            except Exception as error:  # noqa: BLE001 - shown by the assertion
                errors.append(repr(error))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(copies) == 2
    assert copies[0] == copies[1]  # the second click got the first one's copy
    smtp.wait_for(before + 1)
    assert len(smtp.messages) == before + 1
    copy = db.session.get(Notification, copies[0])
    assert copy.resent_from_id == failed_id and copy.status == "sent"


def test_tls_on_against_a_server_without_starttls_is_one_clear_failure(app, smtp, make_booking):
    app.config["MAIL_USE_TLS"] = True  # the default; the test server offers no STARTTLS
    booking = make_booking("pending_payment")
    rows = emails(booking)
    assert rows and {(r.status, r.attempts) for r in rows} == {("failed", 1)}  # no retries
    assert "Mail settings: the server does not offer STARTTLS" in rows[0].last_error
    core_outbox.sweep(utcnow() + timedelta(hours=3))
    assert {r.attempts for r in emails(booking)} == {1} and smtp.messages == []
    health = worker_health()
    assert health["problems"][0].startswith("Emails cannot be sent. Mail settings: the server does not offer STARTTLS")
    assert "flask check-mail" in health["problems"][0]


def test_the_dashboard_shows_the_mail_settings_problem_first(app, client, auth, smtp, make_booking, make_user):
    app.config["MAIL_USE_TLS"] = True
    make_booking("pending_payment")
    auth.login(make_user("admin").email)
    html = client.get("/admin/").get_data(as_text=True)
    assert 'alert-danger py-1 mb-2">Emails cannot be sent. Mail settings: the server does not offer STARTTLS' in html


def test_check_mail_says_what_is_wrong_in_words(app, smtp):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["check-mail"])
    assert ok.exit_code == 0 and "connected. The mail settings work." in ok.output
    app.config["MAIL_USE_TLS"] = True
    no_tls = runner.invoke(args=["check-mail"])
    assert no_tls.exit_code != 0
    assert "(STARTTLS): Mail settings: the server does not offer STARTTLS, but MAIL_USE_TLS is on" in no_tls.output
    app.config.update(MAIL_USE_TLS=False, MAIL_USE_SSL=True)
    no_ssl = runner.invoke(args=["check-mail"])
    assert no_ssl.exit_code != 0 and "implicit TLS (MAIL_USE_SSL)" in no_ssl.output
    smtp.stop()
    app.config.update(MAIL_USE_SSL=False)
    down = runner.invoke(args=["check-mail"])
    assert down.exit_code != 0 and "cannot talk to the server" in down.output


@pytest.mark.parametrize("command", ["outbox-sweep", "send-reminders"])
def test_sweep_commands_print_what_this_run_did_and_the_total_apart(app, smtp, make_booking, command):
    smtp.refuse_next(2, reply="550 5.1.1 No such mailbox")
    make_booking("pending_payment")  # two emails failed for good before the run
    runner = app.test_cli_runner()
    output = runner.invoke(args=[command]).output
    assert "this run: 0 handed over, 0 taken back from dead workers, 0 failed for good" in output
    assert "in total: 2 failed for good" in output
    smtp.refuse_next(2)  # 451: both wait for a retry
    booking = make_booking("pending_payment")
    for row in emails(booking):
        assert row.status == "queued"
        row.job.due_at = utcnow() - timedelta(seconds=1)  # and the retry is due now
    db.session.commit()
    smtp.refuse_next(1, reply="550 5.1.1 No such mailbox")
    output = runner.invoke(args=[command]).output
    assert "this run: 2 handed over, 0 taken back from dead workers, 1 failed for good" in output
    assert "in total: 3 failed for good" in output
