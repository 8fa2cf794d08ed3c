"""Account rules: registration, authentication, staff user creation."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from ..core.errors import DomainError
from ..core.events import account_requested
from ..core.validation import check_timezone, normalize_email, normalize_phone
from ..extensions import db
from .models import LANGUAGES, User, find_user_by_email
from .passwords import hash_password, needs_rehash, password_problem, spend_verify_time
from .permissions import ROLES



def _wrong_credentials() -> DomainError:
    """One message for every failed sign-in, translated here: views show messages as they are."""
    message = _("Wrong email or password")
    return DomainError(message, fields={"password": message})


def _check_fields(email: str, name: str, password: str, language: str, timezone: str, phone: str | None) -> dict:
    """Field errors that do not depend on whether the email already has an account."""
    fields: dict[str, str] = {}
    problem = password_problem(password, personal=(email, name))
    if problem:
        fields["password"] = problem
    if language not in LANGUAGES:
        fields["language"] = _("Choose Arabic or English")
    try:
        check_timezone(timezone)
    except ValueError as exc:
        fields["timezone"] = str(exc)
    if phone:
        try:
            normalize_phone(phone)
        except ValueError as exc:
            fields["phone"] = str(exc)
    if not (name or "").strip():
        fields["name"] = _("Enter a name")
    return fields


def create_user(*, email: str, name: str, password: str, role: str = "customer", phone: str | None = None,
                language: str = "en", timezone: str = "Asia/Riyadh", **profile) -> User:
    """A new account, made by staff or the command line. Emails are unique whatever their letter case."""
    email = normalize_email(email)
    fields = _check_fields(email, name, password, language, timezone, phone)
    if find_user_by_email(email):
        fields["email"] = _("An account with this email already exists")
    if role not in ROLES:
        fields["role"] = f"Role must be one of {', '.join(ROLES)}"
    if fields:
        raise DomainError(_("Please correct the highlighted fields"), fields=fields)
    return _add_user(email=email, name=name, password=password, role=role, phone=phone, language=language,
                     timezone=timezone, **profile)


def _add_user(*, email: str, name: str, password: str, phone: str | None, **columns) -> User:
    user = User(email=email, name=name.strip(), phone=normalize_phone(phone) if phone else None, **columns)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def register_customer(*, email: str, name: str, password: str, phone: str | None, language: str,
                      timezone: str, now: datetime) -> User | None:
    """A customer asks for an account. The answer does not say whether the email was taken.

    A new address gets the account (returned) and a welcome email; an address that has an account
    already gets nothing but an email telling its owner (None is returned). The password is hashed
    either way, so the two take the same time. Field errors that do not depend on the address
    (a weak password, a bad phone) are raised as usual.
    """
    email = normalize_email(email)
    fields = _check_fields(email, name, password, language, timezone, phone)
    if fields:
        raise DomainError(_("Please correct the highlighted fields"), fields=fields)
    existing = find_user_by_email(email)
    if existing is not None:
        hash_password(password)  # the same work as a new account
        _announce(existing, existing=True, now=now)
        return None
    user = _add_user(email=email, name=name, password=password, phone=phone, role="customer",
                     language=language, timezone=timezone)
    _announce(user, existing=False, now=now)
    return user


def _announce(user: User, *, existing: bool, now: datetime) -> None:
    account_requested.send(current_app._get_current_object(), user=user, existing=existing, now=now)


def authenticate(email: str, password: str, now: datetime) -> User:
    """The active user with these credentials; one vague message, in the same time, for every failure.

    A hash made by an older scheme (werkzeug scrypt/pbkdf2) is replaced by argon2id here, the one
    moment the password is known; the caller commits.
    """
    user = find_user_by_email(email)
    if user is None:
        spend_verify_time(password)
        raise _wrong_credentials()
    if not user.check_password(password) or not user.active:
        raise _wrong_credentials()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)  # same password: sessions stay
    user.last_login_at = now
    return user


def sign_out_everywhere(user: User, *, now: datetime) -> None:
    """End every session of `user` (each device, each copied cookie). The caller commits."""
    user.end_all_sessions()
    user.updated_at = now
