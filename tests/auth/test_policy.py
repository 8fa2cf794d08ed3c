"""The access policy: role → permission → scope, asked about one object (allowed) or as SQL (scope_condition).

The world: a coach with their own profile, another coach, a customer, support and an admin. Each
role is asked about a booking of its own coach profile, a booking of the other coach, and a booking
it is itself the customer of.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from bookingadmin.auth.models import User
from bookingadmin.auth.permissions import PERMISSIONS, ROLES
from bookingadmin.auth.policy import allowed, scope_condition, unrestricted
from bookingadmin.availability.models import Slot, WeeklyHours
from bookingadmin.bookings import lifecycle
from bookingadmin.bookings.models import Booking, BookingEvent
from bookingadmin.catalog.models import CoachProfile
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db
from bookingadmin.payments.models import Payment
from tests.factories import local_time

OWN_COACHS, OTHER_COACHS, OWN_CUSTOMERS = "own coach's", "other coach's", "own customer's"


@dataclass
class World:
    users: dict[str, User]          # role -> the user asking
    coach: CoachProfile             # the coach role's own profile
    other_coach: CoachProfile
    bookings: dict[str, Booking]    # OWN_COACHS, OTHER_COACHS
    as_customer: dict[str, Booking]  # role -> a booking that role's user is the customer of

    def booking(self, role: str, which: str) -> Booking:
        return self.as_customer[role] if which == OWN_CUSTOMERS else self.bookings[which]


def _book(coach: CoachProfile, customer: User, ctype, n: int) -> Booking:
    """Made by the system (actor None), so staff can be customers too."""
    booking = lifecycle.create_booking(customer=customer, consultation_type_id=ctype.id, coach_id=coach.id,
                                       duration_minutes=ctype.default_option.minutes,
                                       starts_at=local_time(coach, days=3 + n, at="10:00"), meeting_type="online",
                                       timezone=customer.timezone, actor=None, now=utcnow())
    db.session.commit()
    return booking


@pytest.fixture
def world(factories, make_coach, make_user, make_slot):
    from bookingadmin.payments.services import record_manual_payment

    cat = factories.default_catalog
    other = make_coach(types=[cat.free, cat.paid])
    users = {"admin": make_user(role="admin"), "support": make_user(role="support"), "coach": cat.coach_user,
             "customer": cat.customer}
    stranger = make_user(role="customer")
    bookings = {OWN_COACHS: _book(cat.coach, stranger, cat.free, 0), OTHER_COACHS: _book(other, stranger, cat.free, 1)}
    as_customer = {role: _book(other, user, cat.free, 2 + i) for i, (role, user) in enumerate(users.items())}
    for i, coach in enumerate((cat.coach, other)):  # money rows, so payments are scoped too
        unpaid = _book(coach, stranger, cat.paid, 10 + i)
        record_manual_payment(unpaid, amount=unpaid.amount, method="cash", actor=users["admin"], now=utcnow())
        make_slot(coach, day=date.today() + timedelta(days=20 + i), start="10:00", end="11:00", capacity=2)
    db.session.commit()
    return World(users, cat.coach, other, bookings, as_customer)


# role, permission, object -> allowed (objects: own coach's booking / other coach's / own customer's)
TABLE = {
    ("admin", "bookings.view"): (True, True, True),
    ("admin", "bookings.manage"): (True, True, True),
    ("admin", "intake.view"): (True, True, True),
    ("admin", "refunds.issue"): (True, True, True),
    ("support", "bookings.view"): (True, True, True),
    ("support", "bookings.manage"): (True, True, True),
    ("support", "intake.view"): (False, False, True),
    ("support", "refunds.issue"): (True, True, True),
    ("coach", "bookings.view"): (True, False, True),
    ("coach", "bookings.manage"): (True, False, False),
    ("coach", "intake.view"): (True, False, True),
    ("coach", "refunds.issue"): (False, False, False),
    ("coach", "bookings.book"): (False, False, False),
    ("customer", "bookings.view"): (False, False, True),
    ("customer", "bookings.manage"): (False, False, False),
    ("customer", "intake.view"): (False, False, True),
    ("customer", "bookings.book"): (False, False, True),
    ("customer", "refunds.issue"): (False, False, False),
}


@pytest.mark.parametrize("role, permission", list(TABLE), ids=[f"{r}-{p}" for r, p in TABLE])
def test_who_may_do_what_to_which_booking(world, role, permission):
    user = world.users[role]
    got = tuple(allowed(user, permission, world.booking(role, which))
                for which in (OWN_COACHS, OTHER_COACHS, OWN_CUSTOMERS))
    assert got == TABLE[role, permission]
    assert allowed(user, permission) == any(TABLE[role, permission])  # without an object: at any scope


@pytest.mark.parametrize("role, expected", [("admin", (True, True)), ("support", (False, False)),
                                            ("coach", (True, False)), ("customer", (False, False))])
def test_availability_is_managed_by_its_own_coach_or_an_admin(world, role, expected):
    user = world.users[role]
    assert (allowed(user, "availability.manage", world.coach),
            allowed(user, "availability.manage", world.other_coach)) == expected


def test_money_and_time_belong_to_the_bookings_coach(world):
    coach = world.users["coach"]
    payments = db.session.scalars(select(Payment).order_by(Payment.id)).all()
    assert [allowed(coach, "bookings.view", p) for p in payments] == [True, False]
    slots = db.session.scalars(select(Slot).order_by(Slot.coach_id)).all()
    assert {s.coach_id for s in slots if allowed(coach, "availability.manage", s)} == {world.coach.id}


def test_nobody_signed_in_or_inactive_is_allowed_nothing(world):
    from flask_login import AnonymousUserMixin

    booking = world.bookings[OWN_COACHS]
    assert not allowed(None, "bookings.view", booking) and not allowed(AnonymousUserMixin(), "bookings.view")
    admin = world.users["admin"]
    admin.active = False
    assert not allowed(admin, "bookings.view", booking) and not unrestricted(admin, "bookings.view")
    assert db.session.scalars(select(Booking.id).where(scope_condition(admin, "bookings.view", Booking))).all() == []


def test_an_unknown_permission_is_a_programming_error(world):
    with pytest.raises(KeyError):
        allowed(world.users["admin"], "bookings.veiw")


MODELS = (Booking, BookingEvent, CoachProfile, Slot, WeeklyHours, Payment, User)


@pytest.mark.parametrize("role", ROLES)
def test_scope_condition_lists_exactly_what_allowed_allows(world, role):
    user = world.users[role]
    for model in MODELS:
        key = inspect(model).primary_key[0]
        rows = db.session.scalars(select(model)).all()
        assert rows, f"no {model.__name__} rows: the comparison would prove nothing"
        for permission in PERMISSIONS:
            expected = {getattr(row, key.key) for row in rows if allowed(user, permission, row)}
            listed = set(db.session.scalars(select(key).where(scope_condition(user, permission, model))))
            assert listed == expected, (role, permission, model.__name__)


def test_a_coach_reaches_some_but_not_all_rows_of_every_coach_owned_model(world):
    """The comparison above is not trivially all-or-nothing: a coach's scope cuts every owned table."""
    coach = world.users["coach"]
    for model, permission in ((Booking, "bookings.view"), (BookingEvent, "bookings.view"),
                              (Payment, "bookings.view"), (Slot, "availability.manage"),
                              (WeeklyHours, "availability.manage"), (CoachProfile, "availability.manage")):
        total = db.session.scalar(select(db.func.count()).select_from(model))
        mine = db.session.scalar(select(db.func.count()).select_from(model).where(
            scope_condition(coach, permission, model)))
        assert 0 < mine < total, model.__name__


ROLE_CHECK = re.compile(r"""\.role\s*(==|!=|\bin\b|\bnot in\b)|role\s*==\s*["']""")


def test_no_code_outside_auth_decides_access_by_role_name():
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*root.joinpath("bookingadmin").rglob("*.py"), *root.joinpath("templates").rglob("*.html")]:
        if "auth" in path.relative_to(root).parts[:2]:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ROLE_CHECK.search(line):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_signed_in_user_proxy_is_asked_about_like_the_user(world, app):
    from flask_login import current_user, login_user

    customer = world.users["customer"]
    with app.test_request_context():
        login_user(customer)
        assert allowed(customer, "bookings.book", current_user)  # booking for oneself, from a page
        assert not allowed(world.users["coach"], "bookings.book", current_user)
