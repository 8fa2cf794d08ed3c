"""Catalog rules: slugs for coaches, validation of duration/price options."""
from __future__ import annotations

from decimal import Decimal

from slugify import slugify

from ..core.errors import DomainError
from ..extensions import db
from .models import CoachProfile


def unique_coach_slug(name: str, exclude_id: int | None = None) -> str:
    """A URL slug from the coach's name (Arabic names are transliterated), made unique with -2, -3..."""
    base = slugify(name) or "coach"
    taken = set(db.session.scalars(
        db.select(CoachProfile.slug).where(CoachProfile.slug.like(f"{base}%"),
                                           CoachProfile.id != (exclude_id or 0))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def check_duration_options(options: list[tuple[int, Decimal, bool]]) -> None:
    """At least one option; minutes > 0 and unique; price >= 0; at most one default."""
    if not options:
        raise DomainError.on_field("duration_options", "Add at least one duration with its price")
    minutes = [m for m, _, _ in options]
    if any(m is None or m <= 0 for m in minutes):
        raise DomainError.on_field("duration_options", "Each duration must be more than 0 minutes")
    if len(set(minutes)) != len(minutes):
        raise DomainError.on_field("duration_options", "Each duration may appear only once")
    if any(p is None or Decimal(p) < 0 for _, p, _ in options):
        raise DomainError.on_field("duration_options", "Prices cannot be negative")
    if sum(1 for _, _, d in options if d) > 1:
        raise DomainError.on_field("duration_options", "Mark at most one duration as the default")
