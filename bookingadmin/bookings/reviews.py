"""A coach's rating, derived from the reviews customers leave on completed sessions."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from ..catalog.models import CoachProfile
from ..extensions import db
from .models import Booking


def update_coach_rating(coach_id: int) -> None:
    """Average of every rated booking of the coach; the coach row is locked so two reviews add up."""
    coach = db.session.scalars(select(CoachProfile).where(CoachProfile.id == coach_id).with_for_update()).one()
    count, average = db.session.execute(
        select(func.count(Booking.feedback_rating), func.avg(Booking.feedback_rating))
        .where(Booking.coach_id == coach_id, Booking.feedback_rating.is_not(None))).one()
    coach.review_count = count
    coach.rating = Decimal(str(average or 0)).quantize(Decimal("0.01"))
