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
    return _active(ConsultationType, type_id, "There is no consultation type with this id")


def active_coaches(*, consultation_type_id: int | None = None) -> list[CoachProfile]:
    query = (db.select(CoachProfile).where(CoachProfile.is_active)
             .options(selectinload(CoachProfile.consultation_types)).order_by(CoachProfile.display_name_en))
    if consultation_type_id is not None:
        query = query.where(CoachProfile.consultation_types.any(ConsultationType.id == consultation_type_id))
    return list(db.session.scalars(query))


def active_coach(coach_id: int) -> CoachProfile:
    return _active(CoachProfile, coach_id, "There is no coach with this id")


def _active(model, row_id: int, missing: str):
    """The active row of `model` with this id; an inactive one is as absent as a missing one."""
    row = db.session.get(model, row_id)
    if row is None or not row.is_active:
        raise NotFound(missing)
    return row


def coach_profile_of(user) -> CoachProfile | None:
    """The coach profile belonging to a user account (coaches manage their own)."""
    if user is None:
        return None
    return db.session.scalar(db.select(CoachProfile).where(CoachProfile.user_id == user.id))


def any_coach(coach_id: int) -> CoachProfile:
    """A coach, active or not (staff screens), or 404."""
    profile = db.session.get(CoachProfile, coach_id)
    if profile is None:
        raise NotFound("There is no coach with this id")
    return profile


def availability_rules(coach_id: int, from_day):
    """The coach's weekly hours and their date overrides on or after `from_day`."""
    from ..availability.models import DateOverride, WeeklyHours

    weekly = db.session.scalars(db.select(WeeklyHours).where(WeeklyHours.coach_id == coach_id)
                                .order_by(WeeklyHours.weekday, WeeklyHours.start_time)).all()
    overrides = db.session.scalars(db.select(DateOverride)
                                   .where(DateOverride.coach_id == coach_id, DateOverride.day >= from_day)
                                   .order_by(DateOverride.day, DateOverride.start_time)).all()
    return weekly, overrides


def bookings_by_ids(ids: list[int]) -> list:
    """The bookings with these ids, in the order given."""
    from ..bookings.models import Booking

    found = {b.id: b for b in db.session.scalars(db.select(Booking).where(Booking.id.in_(ids)))} if ids else {}
    return [found[i] for i in ids if i in found]


def booking_page(base, *, order: str, limit: int, after: tuple | None, filters: list):
    """One page of `base` (a select(Booking) already limited to what the viewer may see), keyset-paged
    on (starts_at, id): stable while rows are added, and as fast on page 100 as on page 1.

    Returns (rows, last_key or None when there is no further page)."""
    from ..bookings.models import Booking

    query = base.where(*filters).options(selectinload(Booking.coach), selectinload(Booking.consultation_type))
    if after is not None:
        starts_at, booking_id = after
        if order == "asc":
            query = query.where(db.or_(Booking.starts_at > starts_at,
                                       db.and_(Booking.starts_at == starts_at, Booking.id > booking_id)))
        else:
            query = query.where(db.or_(Booking.starts_at < starts_at,
                                       db.and_(Booking.starts_at == starts_at, Booking.id < booking_id)))
    if order == "asc":
        query = query.order_by(Booking.starts_at.asc(), Booking.id.asc())
    else:
        query = query.order_by(Booking.starts_at.desc(), Booking.id.desc())
    rows = list(db.session.scalars(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, ((rows[-1].starts_at, rows[-1].id) if more and rows else None)
