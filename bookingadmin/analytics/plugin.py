"""Analytics: the reporting zone setting and the `flask refresh-analytics` command."""
from __future__ import annotations

import os

import click
from flask import Flask

from ..core.validation import check_timezone


def init_app(app: Flask) -> None:
    zone = os.environ.get("ANALYTICS_TIMEZONE") or app.config.get("DEFAULT_TIMEZONE", "UTC")
    app.config.setdefault("ANALYTICS_TIMEZONE", check_timezone(zone))
    app.cli.add_command(refresh_analytics_command)
    from ..core.periodic import register_periodic
    from .rollup import refresh_analytics

    register_periodic(app, "refresh-analytics", lambda now: refresh_analytics(now=now), every_seconds=600)


@click.command("refresh-analytics")
@click.option("--full", is_flag=True, help="Rebuild every day, not only the days touched since the last refresh.")
def refresh_analytics_command(full: bool) -> None:
    """Bring the analytics rollups up to date with the bookings (run it every few minutes)."""
    from ..extensions import db
    from .rollup import refresh_analytics

    result = refresh_analytics(full=full)
    db.session.commit()
    kind = "full" if result.full else "incremental"
    click.echo(f"Analytics refreshed ({kind}): {result.days} day(s) rebuilt in {result.seconds:.2f} s")
