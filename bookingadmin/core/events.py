"""In-process signals that let domains react to each other without importing each other.

`booking_event_recorded` is sent by bookings/lifecycle.py inside the transaction, right after a
BookingEvent row is flushed. Receivers (notifications, payments) may only write rows in the same
session (outbox entries, pending refunds); anything that talks to the network runs after commit.
"""
from blinker import Namespace

signals = Namespace()

booking_event_recorded = signals.signal("booking-event-recorded")
