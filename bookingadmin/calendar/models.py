"""The calendar domain's column on another domain's table (migration 0010)."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import mapped_column

from ..catalog.models import CoachProfile

# Only the SHA-256 of the feed secret is stored, like API tokens: a copy of the database does not
# open anyone's calendar. The secret (in the URL) is shown once, when it is made.
CoachProfile.calendar_token_hash = mapped_column(String(64), unique=True, nullable=True,
                                                 doc="SHA-256 (hex) of the coach's calendar feed secret")
