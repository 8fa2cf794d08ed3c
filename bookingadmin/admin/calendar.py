"""A week calendar: one coach's bookings and free hours, or every coach side by side (admins, support).

Times are on the viewer's clock. Free hours are availability's answer (availability.services.free_time:
the engine's working windows minus the time bookings and holds keep, buffers included).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import abort, request
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import select

from ..auth.policy import allowed, scope_condition, unrestricted
from ..bookings.models import ACTIVE_STATUSES, Booking
from ..catalog.models import CoachProfile
from ..core.clock import utcnow
from ..extensions import db
from .access import visible_bookings
from .base import SecuredView
from .bookings import STATUS_BADGES
from ..core.clock import day_bounds, local_today, week_start
from ..core.display import format_local, viewer_zone

SHOWN = ACTIVE_STATUSES + ("completed", "no_show")
DAY_START_HOUR, DAY_END_HOUR = 6, 23  # the grid's visible hours (bookings outside still listed)


@dataclass
class Block:
    starts_at: datetime
    ends_at: datetime
    kind: str  # booking | free
    booking: Booking | None = None

    def top(self, day_start: datetime) -> float:
        return max(0.0, (self.starts_at - day_start).total_seconds() / 60)

    def height(self, day_start: datetime) -> float:
        start = max(self.starts_at, day_start)
        return max(15.0, (self.ends_at - start).total_seconds() / 60)


@dataclass
class CoachWeek:
    coach: CoachProfile
    days: dict[date, list[Block]] = field(default_factory=dict)

    def free_minutes(self, day: date) -> int:
        return int(sum((b.ends_at - b.starts_at).total_seconds() for b in self.days.get(day, [])
                       if b.kind == "free") // 60)


class CalendarView(SecuredView):
    permission = "bookings.view"

    def _coaches(self) -> tuple[list[CoachProfile], CoachProfile | None, bool]:
        """(coaches to show, the selected one or None for all, may choose among all)."""
        asked = request.args.get("coach", type=int)
        if not unrestricted(current_user, "bookings.view"):  # a coach: their own calendar only
            own = db.session.scalar(select(CoachProfile).where(scope_condition(current_user, "bookings.view",
                                                                               CoachProfile)))
            if own is None or (asked and asked != own.id):
                abort(404)
            return [own], own, False
        everyone = list(db.session.scalars(select(CoachProfile).where(CoachProfile.is_active)
                                           .order_by(CoachProfile.display_name_en)))
        if asked:
            chosen = next((c for c in everyone if c.id == asked), None) or db.session.get(CoachProfile, asked)
            if chosen is None:
                abort(404)
            return [chosen], chosen, True
        return everyone, None, True

    @expose("/")
    def index(self):
        from ..availability.services import free_time

        zone, now = viewer_zone(), utcnow()
        try:
            monday = week_start(date.fromisoformat(request.args.get("week", "")))
        except ValueError:
            monday = week_start(local_today(now, zone))
        days = [monday + timedelta(days=i) for i in range(7)]
        low, high = day_bounds(days[0], days[-1], zone)
        coaches, selected, can_choose = self._coaches()
        bookings = self._bookings([c.id for c in coaches], low, high)
        first, last = days[0] - timedelta(days=1), days[-1] + timedelta(days=1)  # coach-local dates around
        free = free_time([c.id for c in coaches], first, last, now=now)
        weeks = [_coach_week(coach, bookings, free.get(coach.id, []), zone, days) for coach in coaches]
        return self.render("admin/calendar.html", weeks=weeks, days=days, selected=selected, can_choose=can_choose,
                           all_coaches=coaches if selected is None else self._all_for_picker(can_choose),
                           previous_week=(monday - timedelta(days=7)).isoformat(),
                           next_week=(monday + timedelta(days=7)).isoformat(), monday=monday,
                           today=local_today(now, zone), zone=zone, format_local=format_local,
                           day_start_hour=DAY_START_HOUR, day_end_hour=DAY_END_HOUR, badges=STATUS_BADGES,
                           can_open=allowed(current_user, "bookings.view"))

    def _all_for_picker(self, can_choose: bool) -> list[CoachProfile]:
        if not can_choose:
            return []
        return list(db.session.scalars(select(CoachProfile).where(CoachProfile.is_active)
                                       .order_by(CoachProfile.display_name_en)))

    def _bookings(self, coach_ids: list[int], low: datetime, high: datetime) -> list[Booking]:
        query = (select(Booking).where(Booking.coach_id.in_(coach_ids), Booking.starts_at < high,
                                       Booking.ends_at > low, Booking.status.in_(SHOWN))
                 .order_by(Booking.starts_at))
        visible = visible_bookings(current_user)
        if visible is not None:
            query = query.where(visible)
        return list(db.session.scalars(query))


def _coach_week(coach: CoachProfile, bookings: list[Booking], free: list, zone, days: list[date]) -> CoachWeek:
    """One coach's row: free hours and bookings on each viewer-local day, in time order."""
    week = CoachWeek(coach, {d: [] for d in days})
    for start, end in free:
        _place(week, Block(start, end, "free"), zone, days)
    for b in bookings:
        if b.coach_id == coach.id:
            _place(week, Block(b.starts_at, b.ends_at, "booking", b), zone, days)
    for blocks in week.days.values():
        blocks.sort(key=lambda blk: (blk.starts_at, blk.kind))
    return week


def _place(week: CoachWeek, block: Block, zone, days: list[date]) -> None:
    """Put a block on each viewer-local day it touches, cut at midnight."""
    for day in days:
        day_low, day_high = day_bounds(day, day, zone)
        start, end = max(block.starts_at, day_low), min(block.ends_at, day_high)
        if start < end:
            week.days[day].append(Block(start, end, block.kind, block.booking))
