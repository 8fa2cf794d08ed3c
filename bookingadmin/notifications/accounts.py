"""Emails about an account rather than a booking.

When someone asks for an account, the registration page gives the same answer whether the address
was new or already had an account (no one learns which addresses have accounts). The mailbox's owner
learns it here: a welcome for a new account, or a note that their address was used again.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l

from .messages import Message
from .outbox import Recipient, add

ACCOUNT_KINDS = ("welcome", "account_exists")

LOG_IN = _l("Log in")
MESSAGES: dict[str, Message] = {
    "welcome": Message(
        _l("Your account at %(business)s is ready"), _l("Welcome, %(name)s"),
        (_l("Your account is ready. Log in with this email address and the password you chose to book and "
            "manage your consultations."),),
        LOG_IN),
    "account_exists": Message(
        _l("Someone asked for a new account with your email address"), _l("You already have an account"),
        (_l("Hello %(name)s,"),
         _l("Someone, perhaps you, asked for a new account at %(business)s with this email address. It already "
            "has an account, so nothing was created or changed."),
         _l("If it was you, log in with your password. If it was not you, you can ignore this email; your "
            "account is safe.")),
        LOG_IN),
}


def on_account_requested(sender, *, user, existing: bool, now: datetime, **_) -> None:
    """Receiver of core.events.account_requested: one email to the address, in the same transaction."""
    recipient = Recipient(email=user.email, name=user.name, language=user.language, timezone=user.timezone,
                          user_id=user.id, role=user.role)
    add(kind="account_exists" if existing else "welcome", key=None, now=now, recipient=recipient)


def page(row) -> dict:
    """What the email template needs, for an account email (no booking, no details table); rendered
    under `force_locale(row.language)` like every email."""
    business = current_app.config["BUSINESS_NAME"]
    words = MESSAGES[row.kind]
    values = {"name": row.recipient_name or "", "business": business}
    return {
        "lang": row.language, "dir": "rtl" if row.language == "ar" else "ltr",
        "subject": words.subject % values, "heading": words.heading % values,
        "paragraphs": [p % values for p in words.paragraphs], "details": [],
        "action": str(words.action), "action_url": f"{current_app.config['APP_BASE_URL']}/login",
        "footer": _("You receive this email because this address was given at %(business)s.", business=business),
        "business": business,
    }
