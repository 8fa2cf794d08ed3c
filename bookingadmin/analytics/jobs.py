"""Background work for analytics: refreshing the rollups (scheduled by the jobs runner or cron)."""
from __future__ import annotations

from ..extensions import db
from .rollup import refresh_analytics


def refresh_analytics_job() -> int:
    """Idempotent: a second run right after the first rebuilds nothing new. Returns the days rebuilt."""
    result = refresh_analytics()
    db.session.commit()
    return result.days
