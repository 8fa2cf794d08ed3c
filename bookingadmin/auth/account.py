"""A person's own account: password reset by email, profile, password and email changes.

The emails go out through core.events.account_notice (notifications writes them to the outbox in
the same transaction); the links inside them are made and read by auth/links.py. Every function
here leaves committing to the caller.
"""
from __future__ import annotations

import re
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from ..core.errors import DomainError
from ..core.events import account_notice
from ..core.validation import check_person_name, is_timezone, normalize_email, normalize_phone
from .links import BadLink, read_email_token, read_reset_token
from .models import LANGUAGES, User, find_user_by_email
from .passwords import password_problem
from .tokens import revoke_all_tokens

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _notify(kind: str, user: User, now: datetime, *, to: str | None = None, payload: dict | None = None) -> None:
    account_notice.send(current_app._get_current_object(), kind=kind, user=user, now=now, to=to,
                        payload=payload or {})


def request_password_reset(email: str, *, now: datetime) -> None:
    """Email a reset link to the account with this address, if there is one; the caller answers the
    same either way (nobody learns which addresses have accounts)."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    _notify("password_reset", user, now)


def check_reset_link(token: str, *, now: datetime) -> User:
    """The user a reset link is for, or BadLink (expired, tampered, already used)."""
    return read_reset_token(token, now)


def reset_password(token: str, password: str, *, now: datetime) -> User:
    """Set a new password from a reset link: the link, the old password, every session and every API
    token stop working. Nothing changes when the link or the password is refused."""
    user = read_reset_token(token, now)
    _set_new_password(user, password, field="password", now=now)
    return user


def change_password(user: User, current: str, new: str, *, now: datetime) -> None:
    """A signed-in person changes their password; every session ends (the caller starts this one anew)."""
    if not user.check_password(current or ""):
        message = _("This is not your current password.")
        raise DomainError(message, fields={"current_password": message})
    _set_new_password(user, new, field="new_password", now=now)


def _set_new_password(user: User, password: str, *, field: str, now: datetime) -> None:
    problem = password_problem(password, personal=(user.email, user.name))
    if problem:
        raise DomainError(problem, fields={field: problem})
    user.set_password(password)  # moves the session version on: every session ends
    revoke_all_tokens(user, now=now)
    user.updated_at = now
    _notify("password_changed", user, now)


def update_profile(user: User, *, name: str, phone: str | None, language: str, timezone: str,
                   email_reminders: bool, now: datetime) -> None:
    """Name, phone, language, time zone and reminder emails; a bad field changes nothing."""
    fields: dict[str, str] = {}
    try:
        name = check_person_name(name)
    except ValueError as exc:
        fields["name"] = str(exc)
    if not name and "name" not in fields:
        fields["name"] = _("Enter a name")
    try:
        phone = normalize_phone(phone) if phone else None
    except ValueError as exc:
        fields["phone"] = str(exc)
    if language not in LANGUAGES:
        fields["language"] = _("Choose Arabic or English")
    if not is_timezone(timezone):
        fields["timezone"] = _("Choose a time zone such as Asia/Riyadh or Africa/Cairo")
    if fields:
        raise DomainError(_("Please correct the highlighted fields"), fields=fields)
    user.name, user.phone, user.language, user.timezone = name, phone, language, timezone
    user.email_reminders = bool(email_reminders)
    user.updated_at = now


def request_email_change(user: User, new_email: str, *, now: datetime) -> str:
    """Send a confirmation link to the new address; the address changes only when it is opened."""
    new_email = normalize_email(new_email)
    if not _EMAIL.match(new_email) or len(new_email) > 254:
        message = _("Enter an email address such as name@example.com")
        raise DomainError(message, fields={"email": message})
    if new_email == user.email:
        message = _("This is already your email address.")
        raise DomainError(message, fields={"email": message})
    _notify("email_change", user, now, to=new_email, payload={"new_email": new_email})
    return new_email


def confirm_email_change(token: str, *, now: datetime) -> User:
    """Open the link sent to the new address: the account's email becomes it; the old one is told."""
    user, new_email = read_email_token(token, now)
    if find_user_by_email(new_email) is not None:
        raise BadLink(_("Another account uses this email address now, so it cannot be yours too."))
    old = user.email
    user.email = new_email
    user.updated_at = now
    _notify("email_changed", user, now, to=old, payload={"new_email": new_email, "old_email": old})
    return user
