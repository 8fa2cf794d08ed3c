"""Wires the notifications domain: settings, the booking-event receiver, CLI, admin views, Jinja helpers."""
from flask import Flask


def init_app(app: Flask) -> None:
    from ..admin import add_admin_views
    from ..core.events import account_notice, account_requested, booking_event_recorded
    from . import jobs  # noqa: F401  (registers the "notifications.email" outbox kind)
    from . import settings
    from .accounts import on_account_notice, on_account_requested
    from .admin import register_admin_views, register_template_helpers
    from .cli import check_mail_command, send_reminders_command
    from .receivers import on_booking_event

    settings.apply(app)
    booking_event_recorded.connect(on_booking_event, sender=app, weak=False)
    account_requested.connect(on_account_requested, sender=app, weak=False)
    account_notice.connect(on_account_notice, sender=app, weak=False)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(check_mail_command)
    register_template_helpers(app)
    add_admin_views(app, register_admin_views)
    _register_upkeep(app)


def _register_upkeep(app: Flask) -> None:
    from ..core.periodic import register_periodic
    from .reminders import send_due_reminders

    register_periodic(app, "send-reminders", send_due_reminders, every_seconds=300)
