"""flask send-reminders (the outbox's own commands, outbox-sweep and worker, are core's)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..core.clock import utcnow


@click.command("send-reminders")
@with_appcontext
def send_reminders_command():
    """Plan missing reminders of upcoming confirmed bookings and send the ones that are due."""
    from ..core.outbox.cli import report
    from .reminders import send_due_reminders

    report(send_due_reminders(utcnow()), "reminders")
