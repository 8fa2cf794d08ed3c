"""Wires the notifications domain: settings, the booking-event receiver, CLI, admin views, Jinja helpers."""
from flask import Flask


def init_app(app: Flask) -> None:
    from ..admin import add_admin_views
    from ..core import jobs
    from ..core.events import account_requested, booking_event_recorded
    from . import settings
    from .accounts import on_account_requested
    from .admin import register_admin_views, register_template_helpers
    from .cli import outbox_sweep_command, send_reminders_command, worker_command
    from .planning import on_booking_event

    settings.apply(app)
    jobs.init_app(app)
    booking_event_recorded.connect(on_booking_event, sender=app, weak=False)
    account_requested.connect(on_account_requested, sender=app, weak=False)
    for command in (outbox_sweep_command, send_reminders_command, worker_command):
        app.cli.add_command(command)
    register_template_helpers(app)
    add_admin_views(app, register_admin_views)
    _register_upkeep(app)


def _register_upkeep(app: Flask) -> None:
    from ..core.periodic import register_periodic
    from .outbox import sweep
    from .reminders import send_due_reminders

    register_periodic(app, "outbox-sweep", sweep, every_seconds=app.config["OUTBOX_SWEEP_SECONDS"])
    register_periodic(app, "send-reminders", send_due_reminders, every_seconds=300)
