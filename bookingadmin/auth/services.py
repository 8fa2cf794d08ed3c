"""Account rules: registration, authentication, staff user creation."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from ..core.errors import DomainError
from ..core.validation import check_timezone, normalize_email, normalize_phone
from ..extensions import db
from .models import LANGUAGES, User, find_user_by_email
from .permissions import ROLES

MIN_PASSWORD_LENGTH = 8


def _check_new_account(email: str, password: str, language: str, timezone: str, phone: str | None) -> dict:
    fields: dict[str, str] = {}
    if find_user_by_email(email):
        fields["email"] = _("An account with this email already exists")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        fields["password"] = f"Use at least {MIN_PASSWORD_LENGTH} characters"
    if language not in LANGUAGES:
        fields["language"] = "Choose Arabic or English"
    try:
        check_timezone(timezone)
    except ValueError as exc:
        fields["timezone"] = str(exc)
    if phone:
        try:
            normalize_phone(phone)
        except ValueError as exc:
            fields["phone"] = str(exc)
    return fields


def create_user(*, email: str, name: str, password: str, role: str = "customer", phone: str | None = None,
                language: str = "en", timezone: str = "Asia/Riyadh", **profile) -> User:
    """A new account. Emails are unique whatever their letter case."""
    email = normalize_email(email)
    fields = _check_new_account(email, password, language, timezone, phone)
    if role not in ROLES:
        fields["role"] = f"Role must be one of {', '.join(ROLES)}"
    if not (name or "").strip():
        fields["name"] = "Enter a name"
    if fields:
        raise DomainError("Please correct the highlighted fields", fields=fields)
    user = User(email=email, name=name.strip(), role=role, language=language, timezone=timezone,
                phone=normalize_phone(phone) if phone else None, **profile)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str, now: datetime) -> User:
    """The active user with these credentials; one vague message for every failure."""
    user = find_user_by_email(email)
    if user is None or not user.check_password(password) or not user.active:
        message = _("Wrong email or password")  # translated here: views show messages as they are
        raise DomainError(message, fields={"password": message})
    user.last_login_at = now
    return user
