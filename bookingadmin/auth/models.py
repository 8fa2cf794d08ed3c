"""User accounts and their API tokens. One role per user; the role's permissions live in permissions.py."""
from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, true as sa_true, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..core.clock import utcnow
from ..core.types import UTCDateTime, sql_in
from ..core.validation import check_timezone, normalize_email
from ..extensions import db
from .passwords import hash_password, verify_password
from .permissions import ROLES, STAFF_ROLES
from .policy import owned_by, user_column

LANGUAGES = ("en", "ar")
GENDERS = ("male", "female")
FITNESS_LEVELS = ("beginner", "intermediate", "advanced")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {sql_in(ROLES)}", name="role"),
        CheckConstraint(f"language IN {sql_in(LANGUAGES)}", name="language"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        Index("ix_users_role", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="customer")
    language: Mapped[str] = mapped_column(String(2), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Riyadh")
    active: Mapped[bool] = mapped_column(default=True)
    # Profile fields that booking forms prefill.
    gender: Mapped[str | None] = mapped_column(String(16))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    fitness_level: Mapped[str | None] = mapped_column(String(16))
    goals: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The server-side anchor of every signed-in session: a session cookie carries the version it was
    # given at sign-in and stops working once this moves on (logout, password change, deactivation).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Reminder emails before a booking (the account page turns them off; notifications/emails.py checks).
    email_reminders: Mapped[bool] = mapped_column(default=True, server_default=sa_true())

    @validates("email")
    def _normalize_email(self, _key: str, value: str) -> str:
        return normalize_email(value)

    @validates("timezone")
    def _check_timezone(self, _key: str, value: str) -> str:
        return check_timezone(value)

    @validates("active")
    def _sign_out_when_deactivated(self, _key: str, value: bool) -> bool:
        if self.active and not value:
            self.end_all_sessions()
        return value

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def set_password(self, password: str) -> None:
        """A new password (argon2id); every session signed in with the old one ends."""
        self.password_hash = hash_password(password)
        if self.id is not None:
            self.end_all_sessions()

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    def end_all_sessions(self) -> None:
        """Every session cookie issued so far stops working at its next request."""
        self.session_version = (self.session_version or 1) + 1

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


owned_by(User, customer=user_column(User.id))  # an account is its own customer's (booking for oneself)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalize_email(email)))


class ApiToken(db.Model):
    """A per-user bearer token, issued by POST /api/v1/auth/token and revoked by DELETE.

    Only a SHA-256 hash of each token is stored: a leaked table lets nobody in.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # hex SHA-256 of the token; tokens are 256-bit random, so a fast hash is enough (no KDF needed)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # the first characters, to tell tokens apart in a list without storing them
    prefix: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at and self.user.is_active

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.label or 'token'})"
