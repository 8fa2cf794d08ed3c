"""Emails about an account rather than a booking.

When someone asks for an account, the registration page gives the same answer whether the address
was new or already had an account (no one learns which addresses have accounts). The mailbox's owner
learns it here: a welcome for a new account, or a note that their address was used again.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l

from ..auth.links import email_token, reset_token
from .messages import Message
from .outbox import Recipient, add

ACCOUNT_KINDS = ("welcome", "account_exists", "password_reset", "password_changed", "email_change", "email_changed")

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
    "password_reset": Message(
        _l("Reset your password at %(business)s"), _l("Choose a new password"),
        (_l("Hello %(name)s,"),
         _l("Someone, perhaps you, asked to reset the password of your account. Use the button below to choose "
            "a new one. The link works once, within %(minutes)s minutes."),
         _l("If it was not you, ignore this email: your password stays as it is.")),
        _l("Choose a new password")),
    "password_changed": Message(
        _l("Your password at %(business)s was changed"), _l("Your password was changed"),
        (_l("Hello %(name)s,"),
         _l("The password of your account was just changed, and every device that was signed in has been "
            "signed out."),
         _l("If it was not you, reset your password at once with “Forgot password?” on the login page.")),
        LOG_IN),
    "email_change": Message(
        _l("Confirm your new email address at %(business)s"), _l("Confirm your new email address"),
        (_l("Hello %(name)s,"),
         _l("You asked to use %(new_email)s for your account. Your address changes when you open the link "
            "below, within %(minutes)s minutes."),
         _l("If it was not you, ignore this email: nothing changes.")),
        _l("Confirm this address")),
    "email_changed": Message(
        _l("The email address of your account at %(business)s was changed"), _l("Your email address was changed"),
        (_l("Hello %(name)s,"),
         _l("Your account now uses %(new_email)s; this address (%(old_email)s) no longer receives its emails."),
         _l("If it was not you, reply to this email or contact us at once.")),
        None),
}


def on_account_requested(sender, *, user, existing: bool, now: datetime, **_) -> None:
    """Receiver of core.events.account_requested: one email to the address, in the same transaction."""
    recipient = Recipient(email=user.email, name=user.name, language=user.language, timezone=user.timezone,
                          user_id=user.id, role=user.role)
    add(kind="account_exists" if existing else "welcome", key=None, now=now, recipient=recipient)


def on_account_notice(sender, *, kind: str, user, now: datetime, to: str | None = None,
                      payload: dict | None = None, **_) -> None:
    """Receiver of core.events.account_notice: one email, to the user or to `to`, in the same transaction.
    No link is stored: links are signed when the email is rendered (auth/links.py)."""
    recipient = Recipient(email=to or user.email, name=user.name, language=user.language, timezone=user.timezone,
                          user_id=user.id, role=user.role)
    add(kind=kind, key=None, now=now, recipient=recipient, payload=payload or {})


def _action_url(row) -> str | None:
    """Where the button leads: a signed link made now for the account's current state (so it is already
    refused if the password or address changed since it was asked for)."""
    base = current_app.config["APP_BASE_URL"]
    if row.kind == "password_reset" and row.recipient is not None:
        return f"{base}/password/reset/{reset_token(row.recipient, row.created_at)}"
    if row.kind == "email_change" and row.recipient is not None:
        new_email = (row.payload or {}).get("new_email", "")
        return f"{base}/account/email/{email_token(row.recipient, new_email, row.created_at)}"
    return f"{base}/login" if MESSAGES[row.kind].action else None


def _minutes(kind: str) -> int:
    setting = "EMAIL_CHANGE_MINUTES" if kind == "email_change" else "PASSWORD_RESET_MINUTES"
    return int(current_app.config[setting])


def page(row) -> dict:
    """What the email template needs, for an account email (no booking, no details table); rendered
    under `force_locale(row.language)` like every email."""
    business = current_app.config["BUSINESS_NAME"]
    words = MESSAGES[row.kind]
    values = {"name": row.recipient_name or "", "business": business, "minutes": _minutes(row.kind),
              "new_email": (row.payload or {}).get("new_email", ""), "old_email": (row.payload or {}).get("old_email", "")}
    return {
        "lang": row.language, "dir": "rtl" if row.language == "ar" else "ltr",
        "subject": words.subject % values, "heading": words.heading % values,
        "paragraphs": [p % values for p in words.paragraphs], "details": [],
        "action": str(words.action) if words.action else None, "action_url": _action_url(row),
        "footer": _("You receive this email because this address was given at %(business)s.", business=business),
        "business": business,
    }
