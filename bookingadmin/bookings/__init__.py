"""Bookings, their audit trail, the lifecycle state machine and the cancellation policy."""
