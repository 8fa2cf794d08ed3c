"""In-process signals that let domains react to each other without importing each other.

`booking_event_recorded` is sent by bookings/lifecycle.py inside the transaction, right after a
BookingEvent row is flushed. Receivers (notifications, payments) may only write rows in the same
session (outbox entries, pending refunds); anything that talks to the network runs after commit.
"""
from blinker import Namespace

signals = Namespace()

booking_event_recorded = signals.signal("booking-event-recorded")

# Sent by auth/services.py when someone asks for an account, whether or not the address is taken,
# with `recipient` (email, name, language, timezone, user_id) and `existing` (the address had an
# account already). The page answers the same in both cases; the email tells the owner which it was.
account_requested = signals.signal("account-requested")

# Sent by auth/account.py for an email about an account: `kind` (password_reset, password_changed,
# email_change, email_changed), `user`, `now`, and optionally `to` (another address than the
# user's: the new one being confirmed, the old one being told) and `payload` (facts the email shows).
account_notice = signals.signal("account-notice")
