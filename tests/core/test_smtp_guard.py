"""The autouse SMTP guard (tests/conftest.py): a test that did not ask for SMTP cannot open it."""
import smtplib

import pytest

from tests.conftest import UnexpectedSMTP


def test_an_smtp_connection_nobody_asked_for_is_refused_and_recorded(smtp_guard):
    for client in (smtplib.SMTP, smtplib.SMTP_SSL):
        with pytest.raises(UnexpectedSMTP, match="did not ask for one"):
            client("127.0.0.1", 2525, timeout=1)
    assert smtp_guard.attempts == [("127.0.0.1", 2525), ("127.0.0.1", 2525)]
    smtp_guard.attempts.clear()  # seen on purpose: the guard would fail this test at teardown otherwise


def test_an_email_sent_by_the_app_without_the_smtp_fixture_is_refused(app, smtp_guard, make_booking):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=2525, MAIL_USE_TLS=False)
    make_booking("pending_payment")  # its emails go out after commit, inline
    assert ("127.0.0.1", 2525) in smtp_guard.attempts
    smtp_guard.attempts.clear()


@pytest.mark.allow_smtp
def test_the_marker_lets_a_test_try_a_closed_port(smtp_guard):
    from tests.notifications.helpers import closed_port

    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP("127.0.0.1", closed_port(), timeout=2)
    assert smtp_guard.attempts == []
