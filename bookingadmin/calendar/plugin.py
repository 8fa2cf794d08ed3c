from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


@click.command("calendar-feed")
@click.argument("coach")
@click.option("--regenerate", is_flag=True, help="Make a new secret URL (the old one stops working).")
@with_appcontext
def calendar_feed_command(coach: str, regenerate: bool):
    """Make and print the calendar feed URL of COACH (email, slug or id). Only its hash is stored, so
    a coach who has one needs --regenerate for a new URL (the old one stops working)."""
    from sqlalchemy import or_, select

    from ..auth.models import User
    from ..catalog.models import CoachProfile
    from ..extensions import db
    from .services import feed_url, has_feed, regenerate_feed_token

    query = select(CoachProfile).join(User, CoachProfile.user_id == User.id).where(
        or_(User.email == coach.lower(), CoachProfile.slug == coach,
            CoachProfile.id == (int(coach) if coach.isdigit() else -1)))
    profile = db.session.scalar(query)
    if profile is None:
        raise click.ClickException(f"no coach with email, slug or id {coach!r}")
    if has_feed(profile) and not regenerate:
        raise click.ClickException("this coach has a feed URL already; it was shown when it was made and is "
                                   "stored only as a hash. Use --regenerate for a new one (the old one stops working)")
    url = feed_url(regenerate_feed_token(profile))
    db.session.commit()
    click.echo(url)


def init_app(app: Flask) -> None:
    from ..admin import add_admin_views
    from .admin import register_admin_views
    from .views import bp

    app.register_blueprint(bp)
    app.cli.add_command(calendar_feed_command)
    add_admin_views(app, register_admin_views)
