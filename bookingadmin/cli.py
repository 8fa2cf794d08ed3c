"""flask commands: create-user, seed-demo. Domain packages add their own (expire-holds, ...)."""
from __future__ import annotations

import click
from flask import Flask

from .auth.permissions import CUSTOMER, ROLES
from .core.errors import DomainError
from .extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), default=CUSTOMER,
              show_default=True)
@click.option("--password", help="Prompted for (hidden) when not given.")
@click.option("--phone", default=None, help="E.164, e.g. +966501234567")
@click.option("--timezone", "timezone_name", default="Asia/Riyadh", show_default=True)
@click.option("--language", type=click.Choice(["en", "ar"]), default="en", show_default=True)
def create_user_command(email, name, role, password, phone, timezone_name, language):
    """Create a user account (staff or customer)."""
    from .auth.services import create_user

    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email=email, name=name, password=password, role=role, phone=phone,
                           timezone=timezone_name, language=language)
    except DomainError as error:
        db.session.rollback()
        details = "; ".join(f"{k}: {v}" for k, v in error.fields.items()) or error.message
        raise click.ClickException(details) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id})")


@click.command("seed-demo")
@click.option("--no-bookings", is_flag=True, help="Only the catalog and the accounts.")
def seed_demo_command(no_bookings: bool):
    """Load the demo catalog, staff, coaches, customers and their bookings. Safe to run again:
    nothing is duplicated."""
    from .core.clock import utcnow
    from .demo import DEMO_LOGINS, seed_demo
    from .demo_bookings import seed_demo_bookings

    counts = seed_demo()
    db.session.commit()
    if not no_bookings:
        click.echo("Booking demo consultations (past and upcoming)...")
        counts["bookings"] = seed_demo_bookings(utcnow(), progress=lambda line: click.echo(line, nl=False) or
                                                click.echo("\r", nl=False))
        click.echo("")
    click.echo("Demo data: " + ", ".join(f"{n} {what} added" for what, n in counts.items()))
    click.echo("Demo logins (password for all: {}):".format(DEMO_LOGINS[0][2]))
    for role, email, _ in DEMO_LOGINS:
        click.echo(f"  {role:<9} {email}")
