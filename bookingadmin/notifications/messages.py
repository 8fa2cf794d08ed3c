"""What each email says. The words are msgids of the Babel catalog (Arabic in translations/ar), read in
the recipient's language when the email is rendered under `force_locale`.

Each kind has a subject, a heading, its paragraphs and optionally an action (the button's label; the
link is chosen by the kind). Placeholders (`%(when)s`, ...) are filled from the rendering context.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Message:
    subject: object
    heading: object
    paragraphs: tuple
    action: object = None


HELLO = _l("Hello %(name)s,")
VIEW = _l("View the booking")
BACK_OFFICE = _l("Open in the back office")

MESSAGES: dict[str, Message] = {
    "booking_created": Message(
        _l("Booking %(number)s received: awaiting payment"), _l("We have your booking"),
        (HELLO, _l("Your booking for %(title)s with %(coach)s on %(when)s is held for you until you pay "
                   "%(amount)s. Please complete the payment to secure your time.")),
        _l("Pay and manage the booking")),
    "payment_received": Message(
        _l("Payment received for booking %(number)s"), _l("Thank you for your payment"),
        (HELLO, _l("We received %(amount)s for %(title)s with %(coach)s on %(when)s. Your receipt is attached.")),
        VIEW),
    "awaiting_approval": Message(
        _l("Booking %(number)s is awaiting confirmation"), _l("Your booking is awaiting confirmation"),
        (HELLO, _l("%(coach)s will review your booking for %(title)s on %(when)s. We will write again as soon "
                   "as it is confirmed.")),
        VIEW),
    "confirmed": Message(
        _l("Booking %(number)s confirmed: %(when)s"), _l("Your consultation is confirmed"),
        (HELLO, _l("Your consultation %(title)s with %(coach)s is confirmed for %(when)s. The attached calendar "
                   "invitation adds it to your calendar.")),
        VIEW),
    "rescheduled": Message(
        _l("Booking %(number)s moved to %(when)s"), _l("Your consultation has a new time"),
        (HELLO, _l("Your consultation %(title)s with %(coach)s has moved from %(old_when)s to %(when)s. The "
                   "attached invitation updates your calendar.")),
        VIEW),
    "cancelled": Message(
        _l("Booking %(number)s cancelled"), _l("Your booking is cancelled"),
        (HELLO, _l("Your booking for %(title)s with %(coach)s on %(when)s is cancelled.%(reason_line)s"),
         _l("Refund: %(refund)s.")),
        _l("Book another time")),
    "refund_issued": Message(
        _l("Refund of %(refund)s for booking %(number)s"), _l("Your refund is on its way"),
        (HELLO, _l("We refunded %(refund)s for %(title)s (%(number)s). Depending on your bank it can take a few "
                   "days to appear.")),
        VIEW),
    "reminder": Message(
        _l("Reminder: %(title)s starts in %(offset)s"), _l("See you soon"),
        (HELLO, _l("This is a reminder that your consultation %(title)s with %(coach)s starts in %(offset)s, on "
                   "%(when)s.")),
        VIEW),
    "completed": Message(
        _l("How was your consultation? (%(number)s)"), _l("Thank you for your session"),
        (HELLO, _l("We hope %(title)s with %(coach)s was helpful. Would you tell us how it went? It takes a "
                   "minute and helps %(coach)s and other clients.")),
        _l("Leave feedback")),
    "staff_new_booking": Message(
        _l("New booking %(number)s: %(title)s, %(when)s"), _l("New booking"),
        (HELLO, _l("%(customer)s booked %(title)s with %(coach)s on %(when)s (%(status)s).")),
        BACK_OFFICE),
    "staff_cancelled": Message(
        _l("Booking %(number)s cancelled: %(title)s, %(when)s"), _l("Booking cancelled"),
        (HELLO, _l("The booking of %(customer)s for %(title)s with %(coach)s on %(when)s was "
                   "cancelled.%(reason_line)s"),
         _l("Refund: %(refund)s.")),
        BACK_OFFICE),
    "staff_rescheduled": Message(
        _l("Booking %(number)s moved to %(when)s"), _l("Booking moved"),
        (HELLO, _l("The booking of %(customer)s for %(title)s with %(coach)s moved from %(old_when)s to "
                   "%(when)s.")),
        BACK_OFFICE),
}
