"""API tokens. Only a SHA-256 hash of each token is stored: a leaked table lets nobody in."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.types import UTCDateTime
from ..extensions import db


class ApiToken(db.Model):
    """A per-user bearer token, issued by POST /api/v1/auth/token and revoked by DELETE."""

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
