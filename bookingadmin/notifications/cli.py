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


@click.command("check-mail")
@with_appcontext
def check_mail_command():
    """Connect to MAIL_SERVER with the mail settings (TLS, login) and say what is wrong, in words."""
    import smtplib
    import socket

    from flask import current_app

    from .mail import MailConfigError, connect

    config = current_app.config
    if not config.get("MAIL_SERVER"):
        click.echo(f"MAIL_SERVER is not set: emails are written as .eml files to {config['MAIL_OUTBOX_DIR']}.")
        return
    mode = "implicit TLS" if config.get("MAIL_USE_SSL") else "STARTTLS" if config.get("MAIL_USE_TLS") else "no encryption"
    where = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']} ({mode})"
    try:
        with connect(config) as smtp:
            smtp.noop()
    except MailConfigError as error:
        raise click.ClickException(f"{where}: {error}")
    except (OSError, smtplib.SMTPException) as error:
        reason = "timed out" if isinstance(error, socket.timeout) else f"{type(error).__name__}: {error}"
        raise click.ClickException(f"{where}: cannot talk to the server ({reason}); is MAIL_SERVER / MAIL_PORT right "
                                   "and is it up? Emails wait and are retried meanwhile.")
    login = f", logged in as {config['MAIL_USERNAME']}" if config.get("MAIL_USERNAME") else ""
    click.echo(f"{where}: connected{login}. The mail settings work.")
