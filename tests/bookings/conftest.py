from __future__ import annotations

import pytest

from bookingadmin.core.events import booking_event_recorded


@pytest.fixture
def admin(factories):
    return factories.user(role="admin")


@pytest.fixture
def support(factories):
    return factories.user(role="support")


@pytest.fixture
def recorded_events(app):
    """Every BookingEvent sent through booking_event_recorded during the test, in order."""
    received = []

    def receiver(sender, event):
        assert event.id is not None, "the signal must come after the event row is flushed"
        received.append(event)

    booking_event_recorded.connect(receiver, sender=app)
    yield received
    booking_event_recorded.disconnect(receiver, sender=app)


@pytest.fixture
def make_person(factories):
    """make_person(role="customer", **fields) -> User that logs in with "correct-horse", made fast."""
    return factories.user
