"""Test data built through the real services, for every domain's tests.

Use the fixtures in tests/conftest.py (`make_coach`, `make_type`, `make_catalog`, `make_booking`);
they are functions returning committed rows:

    booking = make_booking("completed")                      # through create, pay, complete
    booking = make_booking("pending_payment", starts_at=local_time(coach, days=5, at="15:30"))
    cat = make_catalog()                                     # coach + paid/free/approval/group types + customer

Bookings reach their status through bookings/lifecycle.py (create_booking, mark_paid, confirm,
reschedule, complete, ...), so they are exactly what production would hold.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Callable
from zoneinfo import ZoneInfo

from werkzeug.security import generate_password_hash

from bookingadmin.auth.models import User
from bookingadmin.availability.models import Slot, WeeklyHours
from bookingadmin.bookings import lifecycle, operations
from bookingadmin.bookings.models import Booking
from bookingadmin.catalog.models import CoachProfile, ConsultationType, DurationOption
from bookingadmin.catalog.services import unique_coach_slug
from bookingadmin.core.clock import utcnow
from bookingadmin.core.validation import normalize_phone
from bookingadmin.extensions import db

UTC = timezone.utc
PASSWORD = "correct-horse"  # the same password as make_user's, so auth.login(email) works
# Default working hours: every day 08:00-20:00 on the coach's clock.
ALL_WEEK = tuple((weekday, time(8), time(20)) for weekday in range(7))


@lru_cache(maxsize=1)
def _password_hash() -> str:
    """Hashed once per test run: scrypt takes a tenth of a second and most tests need several users."""
    return generate_password_hash(PASSWORD)


def _time(value: time | str) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)


def _zone(where: CoachProfile | User | str) -> ZoneInfo:
    return ZoneInfo(where if isinstance(where, str) else where.timezone)


def local_time(where: CoachProfile | User | str, *, days: int = 3, at: str | time = "10:00",
               on: date | None = None) -> datetime:
    """Aware UTC instant of wall-clock `at` in `where`'s zone, `days` after today (or `on` that date)."""
    zone = _zone(where)
    day = on or (utcnow().astimezone(zone).date() + timedelta(days=days))
    return datetime.combine(day, _time(at), tzinfo=zone).astimezone(UTC)


@dataclass
class Catalog:
    coach: CoachProfile
    coach_user: User
    paid: ConsultationType       # 30 min 50.00 / 60 min 90.00 USD, confirmed once paid
    free: ConsultationType       # 30 min 0.00: no payment step
    approval: ConsultationType   # 60 min 300.00 USD, requires approval after payment
    group: ConsultationType      # capacity 3, 60 min 40.00 USD
    customer: User


class Factories:
    """Holds the counters and the lazily made default catalog of one test."""

    def __init__(self, make_user: Callable[..., User]):
        self.make_user = make_user
        self._users = itertools.count(1)
        self._numbers = itertools.count(1001)
        self._default_starts = itertools.count()
        self._catalog: Catalog | None = None

    # ----------------------------------------------------------------- people

    def user(self, role: str = "customer", **fields) -> User:
        """An account that logs in with PASSWORD, made without hashing a password again."""
        n = next(self._users)
        fields.setdefault("email", f"{role}.{n}@factory.example.com")
        fields.setdefault("name", f"{role.title()} {n}")
        if fields.get("phone"):
            fields["phone"] = normalize_phone(fields["phone"])
        user = User(role=role, password_hash=_password_hash(), **fields)
        db.session.add(user)
        db.session.commit()  # also commits whatever a caller flushed before (a catalog in the making)
        return user

    # ----------------------------------------------------------------- catalog

    def coach(self, user: User | None = None, *, timezone: str = "Asia/Riyadh",
              hours=ALL_WEEK, types=(), **fields) -> CoachProfile:
        """A coach profile (and its coach account) working `hours` [(weekday, start, end), ...] locally."""
        coach = self._coach(user, timezone=timezone, hours=hours, types=types, **fields)
        db.session.commit()
        return coach

    def _coach(self, user: User | None = None, *, timezone: str, hours, types, **fields) -> CoachProfile:
        user = user or self.user(role="coach", timezone=timezone)
        fields.setdefault("display_name_en", user.name)
        coach = CoachProfile(user=user, slug=unique_coach_slug(fields["display_name_en"]), timezone=timezone, **fields)
        coach.consultation_types = list(types)
        db.session.add(coach)
        db.session.flush()
        for weekday, start, end in hours or ():
            db.session.add(WeeklyHours(coach_id=coach.id, weekday=weekday, start_time=_time(start),
                                       end_time=_time(end)))
        db.session.flush()
        return coach

    def type(self, *, coaches=(), options=((60, "90.00"),), **fields) -> ConsultationType:
        """A consultation type; options are (minutes, price) or (minutes, price, is_default)."""
        ctype = self._type(coaches=coaches, options=options, **fields)
        db.session.commit()
        return ctype

    def _type(self, *, coaches, options, **fields) -> ConsultationType:
        number = fields.pop("number", next(self._numbers))
        defaults = dict(title_en=f"Consultation {number}", title_ar=f"استشارة {number}", category="sports",
                        currency="USD", meeting_mode="both", min_notice_minutes=0, max_bookings_per_day=None,
                        horizon_days=60, slot_step_minutes=15)
        ctype = ConsultationType(number=number, **{**defaults, **fields})
        marked = any(len(o) > 2 and o[2] for o in options)
        ctype.duration_options = [
            DurationOption(minutes=o[0], price=Decimal(str(o[1])), is_default=bool(o[2]) if len(o) > 2 else
                           (not marked and i == 0))
            for i, o in enumerate(options)]
        ctype.coaches = list(coaches)
        db.session.add(ctype)
        db.session.flush()
        return ctype

    def slot(self, coach: CoachProfile, *, day: date, start: str | time = "10:00", end: str | time = "11:00",
             capacity: int = 1, ctype: ConsultationType | None = None) -> Slot:
        slot = Slot(coach_id=coach.id, day=day, start_time=_time(start), end_time=_time(end), capacity=capacity,
                    consultation_type_id=ctype.id if ctype else None)
        db.session.add(slot)
        db.session.commit()
        return slot

    def catalog(self, *, timezone: str = "Asia/Riyadh", hours=ALL_WEEK) -> Catalog:
        coach = self._coach(timezone=timezone, hours=hours, types=())
        paid = self._type(coaches=[coach], options=((30, "50.00"), (60, "90.00", True)))
        free = self._type(coaches=[coach], options=((30, "0.00"),), category="life_coaching", meeting_mode="online")
        approval = self._type(coaches=[coach], options=((60, "300.00"),), category="vip", requires_approval=True)
        group = self._type(coaches=[coach], options=((60, "40.00"),), category="group", capacity=3,
                           meeting_mode="online")
        customer = self.user(role="customer", phone="+966501234567", timezone="Europe/London")
        return Catalog(coach, coach.user, paid, free, approval, group, customer)

    @property
    def default_catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = self.catalog()
        return self._catalog

    # ----------------------------------------------------------------- bookings

    def booking(self, status: str = "confirmed", *, starts_at: datetime | None = None,
                customer: User | None = None, coach: CoachProfile | None = None,
                ctype: ConsultationType | None = None, duration: int | None = None, meeting_type: str = "online",
                slot: Slot | None = None, now: datetime | None = None, cancelled_by: str = "customer",
                rescheduled_from: datetime | None = None, feedback: tuple[int, str] | None = None,
                **create_kwargs) -> Booking:
        """A booking in `status`, made and moved by the lifecycle functions, committed.

        `now` is when it was made (default: now, or two days before a start in the past).
        completed / no_show are marked five minutes after the end; cancelled at `now` by `cancelled_by`;
        rescheduled is made at `rescheduled_from` (default an hour later) and moved to `starts_at`.
        """
        cat = self.default_catalog
        coach = coach or (ctype.coaches[0] if ctype is not None and ctype.coaches else cat.coach)
        ctype = ctype or (cat.approval if status == "pending_confirmation" else cat.paid)
        if ctype not in coach.consultation_types:
            coach.consultation_types.append(ctype)
            db.session.commit()
        duration = duration or ctype.default_option.minutes
        starts_at = starts_at or self._next_default_start(coach)
        made_at = now or self._made_at(starts_at)
        customer = customer or cat.customer
        first_start = (rescheduled_from or starts_at + timedelta(hours=1)) if status == "rescheduled" else starts_at
        booking = lifecycle.create_booking(
            customer=customer, consultation_type_id=ctype.id, coach_id=coach.id, duration_minutes=duration,
            starts_at=first_start, meeting_type=meeting_type, timezone=customer.timezone, actor=customer,
            now=made_at, slot_id=slot.id if slot else None, **create_kwargs)
        self._advance(booking, status, made_at, starts_at, cancelled_by, slot)
        if feedback is not None:
            lifecycle.leave_feedback(booking, rating=feedback[0], comment=feedback[1], actor=customer,
                                     now=booking.ends_at + timedelta(hours=1))
        db.session.commit()
        return booking

    def _advance(self, booking: Booking, status: str, now: datetime, starts_at: datetime, cancelled_by: str,
                 slot: Slot | None) -> None:
        if status == "pending_payment" or booking.status == status:
            return
        if booking.status == "pending_payment":  # paid in cash through the payments domain, which owns "paid"
            from bookingadmin.payments.services import record_manual_payment

            record_manual_payment(booking, amount=booking.amount, method="cash", actor=None, now=now)
        if status == "pending_confirmation":
            assert booking.status == status, "pending_confirmation needs a type that requires approval"
            return
        if status == "cancelled":
            operations.cancel_booking(booking, actor=None, now=now, reason="Plans changed", by=cancelled_by)
            return
        if booking.status == "pending_confirmation":
            lifecycle.confirm(booking, actor=None, now=now)
        if status == "rescheduled":
            lifecycle.reschedule(booking, starts_at=starts_at, actor=None, now=now, reason="Customer asked",
                                 slot_id=slot.id if slot else None)
        elif status == "completed":
            lifecycle.complete(booking, actor=None, now=booking.ends_at + timedelta(minutes=5))
        elif status == "no_show":
            lifecycle.mark_no_show(booking, actor=None, now=booking.ends_at + timedelta(minutes=5))
        assert booking.status == status, f"cannot build a {status} booking (got {booking.status})"

    def _next_default_start(self, coach: CoachProfile) -> datetime:
        n = next(self._default_starts)
        return local_time(coach, days=3 + n // 8, at=time(10 + n % 8))

    @staticmethod
    def _made_at(starts_at: datetime) -> datetime:
        real_now = utcnow()
        return real_now if starts_at > real_now + timedelta(hours=3) else starts_at - timedelta(days=2)
