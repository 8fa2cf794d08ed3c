"""flask seed-demo and create-user."""
import sqlalchemy as sa

from bookingadmin.auth.models import User
from bookingadmin.bookings.models import Booking
from bookingadmin.extensions import db
from bookingadmin.payments.models import Payment
from bookingadmin.availability.models import WeeklyHours
from bookingadmin.catalog.models import CoachProfile, ConsultationType, DurationOption


def _row_counts():
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (User, CoachProfile, ConsultationType, DurationOption, WeeklyHours, Booking, Payment)}


def test_seed_demo_twice_leaves_the_same_rows(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = _row_counts()
    assert counts["User"] == 6 and counts["CoachProfile"] == 2
    assert set(db.session.scalars(sa.select(ConsultationType.category))) == {
        "sports", "life_coaching", "group", "vip", "nutrition"}
    assert {c.timezone for c in db.session.scalars(sa.select(CoachProfile))} == {"Asia/Riyadh", "Africa/Cairo"}
    assert "admin@example.com" in first.output
    statuses = set(db.session.scalars(sa.select(Booking.status)))
    assert {"completed", "confirmed"} <= statuses  # history and upcoming sessions for the dashboards
    paid = db.session.scalars(sa.select(Booking).where(Booking.payment_status == "paid")).all()
    assert paid and all(sum(p.amount for p in b.payments) == b.amount for b in paid)  # real payment rows
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "0 users added" in second.output and "0 bookings added" in second.output
    assert _row_counts() == counts


def test_create_user_with_password_prompt(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", "Boss@Example.com", "--name", "Boss", "--role", "admin"],
                           input="long-enough-pw\nlong-enough-pw\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "boss@example.com"))
    assert user.role == "admin" and user.check_password("long-enough-pw")


def test_create_user_refuses_a_duplicate_with_a_message(app, make_user):
    make_user(email="boss@example.com")
    result = app.test_cli_runner().invoke(args=["create-user", "--email", "BOSS@example.com", "--name", "B",
                                                "--password", "long-enough-pw"])
    assert result.exit_code != 0 and "already exists" in result.output
