"""Flows that cross domains, shared by every entry point (customer pages, back office, API).

Each flow joins bookings to availability or payments in one visible place instead of each view
re-deriving it: cancelling with its refund (the policy decides the amount, the lifecycle changes
the status, payments moves the money), the times a booking may move to, "any available coach"
times and a customer's bookings by tab. Like the services they call, nothing here commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Select, select

from ..auth.models import User
from ..availability import services as availability
from ..catalog.models import CoachProfile, ConsultationType
from ..core.errors import DomainError
from ..extensions import db
from . import lifecycle, policy
from .models import ACTIVE_STATUSES, Booking

CUSTOMER_TABS = ("upcoming", "past", "cancelled")


# --------------------------------------------------------------------------- cancel with its refund


class Money(Protocol):
    """How money goes back, provided by payments (`payments/plugin.py` registers `payments.services`).

    Payments depends on bookings (a payment belongs to a booking and moves it on), so bookings never
    imports payments: the domain that owns the money plugs itself in here, as availability's busy
    sources do."""

    def refund_preview(self, booking: Booking, refund_amount: Decimal) -> Decimal: ...

    def refund_cancellation(self, booking: Booking, *, amount: Decimal | None, reason: str | None, actor,
                            now: datetime, source: str = "cancellation") -> list: ...


class _NoMoney:
    """Without a payments domain nothing was taken, so nothing goes back."""

    def refund_preview(self, booking: Booking, refund_amount: Decimal) -> Decimal:
        return Decimal("0")

    def refund_cancellation(self, booking: Booking, **_kwargs) -> list:
        return []


payments: Money = _NoMoney()


def register_money(provider: Money) -> None:
    """Called by the payments domain's init_app."""
    global payments
    payments = provider


@dataclass(frozen=True)
class RefundQuote:
    """What cancelling at a moment would give back: the policy's entitlement and what is really left."""

    amount: Decimal       # the policy's share of the price (0 when nothing was paid)
    percent: int
    payable: Decimal      # `amount` capped by what was taken and not yet refunded


@dataclass(frozen=True)
class CancelResult:
    """What a cancellation (or a rejection) decided and did, for the page or the API to show."""

    booking: Booking
    refund_amount: Decimal      # the policy's entitlement
    refund_percent: int
    refunds: tuple              # the Refund rows payments made (card refunds reach Stripe after commit)

    @property
    def refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds), Decimal("0"))


def refund_quote(booking: Booking, now: datetime, *, by: str = "customer") -> RefundQuote:
    """The refund a cancellation at `now` on `by`'s account would give (shown before confirming)."""
    amount, percent = policy.refund_for_cancellation(booking, now, by=by)
    return RefundQuote(amount=amount, percent=percent, payable=payments.refund_preview(booking, amount))


def cancel_booking(booking: Booking, *, actor: User | None, now: datetime, reason: str,
                   by: str) -> CancelResult:
    """Cancel an open booking and give back what the policy entitles, in one transaction.

    The entitlement is read before the status moves (paying state changes with it); the lifecycle
    cancels and records it; payments refunds it, capped by what is left, never twice.
    """
    amount, percent = policy.refund_for_cancellation(booking, now, by=by)
    lifecycle.cancel(booking, actor=actor, now=now, reason=reason, by=by, refund=(amount, percent))
    refunds = payments.refund_cancellation(booking, amount=amount, reason=booking.cancellation_reason,
                                           actor=actor, now=now, source="cancellation")
    return CancelResult(booking=booking, refund_amount=amount, refund_percent=percent, refunds=tuple(refunds))


def reject_booking(booking: Booking, *, actor: User | None, now: datetime, reason: str) -> CancelResult:
    """Staff turn a booking down: the lifecycle cancels it on the business's account and the
    customer gets back everything that is left."""
    lifecycle.reject(booking, actor=actor, now=now, reason=reason)
    refunds = payments.refund_cancellation(booking, amount=None, reason=booking.cancellation_reason,
                                           actor=actor, now=now, source="rejection")
    return CancelResult(booking=booking, refund_amount=sum((r.amount for r in refunds), Decimal("0")),
                        refund_percent=100, refunds=tuple(refunds))


# --------------------------------------------------------------------------- reschedule options


def reschedule_times(booking: Booking, *, start: date, end: date, viewer_tz: str, now: datetime) -> list:
    """The times (BookableTime, in `viewer_tz`) this booking may move to on the dates start..end:
    the same coach, type and duration, its own current time not counted as busy."""
    return availability.bookable_times(coach_id=booking.coach_id, consultation_type_id=booking.consultation_type_id,
                                       duration_minutes=booking.duration_minutes, start=start, end=end,
                                       viewer_tz=viewer_tz, now=now, exclude_booking_id=booking.id)


def reschedule_dates(booking: Booking, *, year: int, month: int, viewer_tz: str, now: datetime) -> list[date]:
    """The viewer-local dates of a month with a time this booking may move to."""
    return availability.available_dates(coach_id=booking.coach_id, consultation_type_id=booking.consultation_type_id,
                                        duration_minutes=booking.duration_minutes, year=year, month=month,
                                        viewer_tz=viewer_tz, now=now)


# --------------------------------------------------------------------------- any available coach


class CoachTime(NamedTuple):
    """One bookable time and the coach who would take it (unpacks as `offer, coach_id`)."""

    time: Any             # availability's BookableTime
    coach_id: int


def bookable_coaches(ctype: ConsultationType) -> list[CoachProfile]:
    """The active coaches offering a type, in the order "any coach" prefers them (best rated first)."""
    return sorted((c for c in ctype.coaches if c.is_active), key=lambda c: (-c.rating, c.display_name_en))


def offered_type(consultation_type_id: int, duration_minutes: int) -> ConsultationType:
    """An active type selling this duration, or DomainError naming the field."""
    ctype = db.session.get(ConsultationType, consultation_type_id) if isinstance(consultation_type_id, int) else None
    if ctype is None or not ctype.is_active:
        raise DomainError.on_field("consultation_type_id", "There is no such consultation")
    if ctype.option_for(duration_minutes) is None:
        raise DomainError.on_field("duration_minutes", "This consultation is not sold for this duration")
    return ctype


def any_coach_times(ctype: ConsultationType, *, duration_minutes: int, start: date, end: date, viewer_tz: str,
                    now: datetime, coach_ids: list[int] | None = None) -> list[CoachTime]:
    """Every time at least one coach is free, start..end in `viewer_tz`, each with the first free
    coach in `coach_ids` order (default: bookable_coaches), sorted by time."""
    if end < start:
        raise DomainError.on_field("end", "The end date is before the start date")
    if (end - start).days >= availability.MAX_RANGE_DAYS:
        raise DomainError.on_field("end", f"Ask for at most {availability.MAX_RANGE_DAYS} days at a time")
    if coach_ids is None:
        coach_ids = [c.id for c in bookable_coaches(ctype)]
    seen: dict[datetime, CoachTime] = {}
    for coach_id in coach_ids:
        for offer in availability.bookable_times(coach_id=coach_id, consultation_type_id=ctype.id,
                                                 duration_minutes=duration_minutes, start=start, end=end,
                                                 viewer_tz=viewer_tz, now=now):
            seen.setdefault(offer.starts_at, CoachTime(offer, coach_id))
    return [seen[key] for key in sorted(seen)]


def free_dates_by_day(ctype: ConsultationType, *, coach_ids: list[int], duration_minutes: int, year: int,
                      month: int, viewer_tz: str, now: datetime) -> dict[date, list[int]]:
    """The month's bookable dates, each with the coaches (in `coach_ids` order) free that day."""
    by_coach = availability.available_dates_by_coach(
        coach_ids=coach_ids, consultation_type_id=ctype.id, duration_minutes=duration_minutes, year=year,
        month=month, viewer_tz=viewer_tz, now=now)
    days: dict[date, list[int]] = {}
    for coach_id in coach_ids:
        for day in by_coach.get(coach_id, []):
            days.setdefault(day, []).append(coach_id)
    return days


# --------------------------------------------------------------------------- a customer's bookings


def customer_bookings(customer: User, tab: str, now: datetime) -> Select:
    """A customer's own bookings on one tab: "upcoming" (open, not yet ended; soonest first),
    "past" (ended or closed as held / no-show; newest first) or "cancelled" (newest first)."""
    query = select(Booking).where(Booking.customer_id == customer.id)
    if tab == "cancelled":
        return query.where(Booking.status == "cancelled").order_by(Booking.starts_at.desc())
    if tab == "past":
        return query.where(Booking.status != "cancelled",
                           (Booking.ends_at < now) | Booking.status.in_(("completed", "no_show"))) \
            .order_by(Booking.starts_at.desc())
    if tab != "upcoming":
        raise DomainError.on_field("tab", f"Choose one of {', '.join(CUSTOMER_TABS)}")
    return query.where(Booking.status.in_(ACTIVE_STATUSES), Booking.ends_at >= now).order_by(Booking.starts_at)
