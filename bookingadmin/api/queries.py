"""Read-only lookups for the public catalog endpoints (no rules here: active rows, in order)."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from ..catalog.models import CoachProfile, ConsultationType
from ..core.errors import NotFound
from ..extensions import db


def active_consultation_types(*, category: str | None = None, coach_id: int | None = None) -> list[ConsultationType]:
    query = (db.select(ConsultationType).where(ConsultationType.is_active)
             .options(selectinload(ConsultationType.duration_options), selectinload(ConsultationType.coaches))
             .order_by(ConsultationType.number))
    if category:
        query = query.where(ConsultationType.category == category)
    if coach_id is not None:
        query = query.where(ConsultationType.coaches.any(CoachProfile.id == coach_id))
    return list(db.session.scalars(query))


def active_consultation_type(type_id: int) -> ConsultationType:
    ctype = db.session.get(ConsultationType, type_id)
    if ctype is None or not ctype.is_active:
        raise NotFound("There is no consultation type with this id")
    return ctype


def active_coaches(*, consultation_type_id: int | None = None) -> list[CoachProfile]:
    query = (db.select(CoachProfile).where(CoachProfile.is_active)
             .options(selectinload(CoachProfile.consultation_types)).order_by(CoachProfile.display_name_en))
    if consultation_type_id is not None:
        query = query.where(CoachProfile.consultation_types.any(ConsultationType.id == consultation_type_id))
    return list(db.session.scalars(query))


def active_coach(coach_id: int) -> CoachProfile:
    profile = db.session.get(CoachProfile, coach_id)
    if profile is None or not profile.is_active:
        raise NotFound("There is no coach with this id")
    return profile
