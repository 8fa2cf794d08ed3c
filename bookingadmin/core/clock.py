"""The one clock. Services take `now` as an argument; callers get it here."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(timezone.utc)
