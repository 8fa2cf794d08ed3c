"""Payments register their webhook, their outbox kinds (jobs.py), their reaction to booking events,
CLI commands and admin views. Stripe calls that failed are retried by the one outbox sweep."""
from __future__ import annotations

import click
from flask import Flask

_receivers_connected = False


def init_app(app: Flask) -> None:
    import os

    # "payment_intent" (Stripe.js confirmCardPayment; real Stripe) or "setup_intent" (confirmCardSetup,
    # then the server confirms; what localstripe's Stripe.js supports). Unset: chosen from STRIPE_API_BASE.
    app.config.setdefault("STRIPE_CONFIRM_FLOW", os.environ.get("STRIPE_CONFIRM_FLOW") or None)
    from . import jobs  # noqa: F401  (registers the Stripe refund / capture / release outbox kinds)
    from .admin import register_admin_views
    from .webhooks import bp

    app.register_blueprint(bp)
    app.cli.add_command(localstripe_webhook_command)
    register_admin_views(app)
    _connect_receivers()
    from ..bookings import operations
    from . import services

    operations.register_money(services)  # cancel-with-refund gives money back through payments


def _connect_receivers() -> None:
    """Connected once per process (signals are global; every app shares the receiver)."""
    global _receivers_connected
    if _receivers_connected:
        return
    from ..core.events import booking_event_recorded
    from .receivers import on_booking_event

    booking_event_recorded.connect(on_booking_event)
    _receivers_connected = True


@click.command("localstripe-webhook")
@click.option("--url", required=True, help="Where localstripe should deliver events, e.g. http://127.0.0.1:5000/stripe/webhook")
def localstripe_webhook_command(url):
    """Register this app's webhook with localstripe (the demo; real Stripe uses its dashboard)."""
    import json
    import urllib.request

    from flask import current_app

    base, secret = current_app.config.get("STRIPE_API_BASE"), current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not base or not secret:
        raise click.ClickException("STRIPE_API_BASE and STRIPE_WEBHOOK_SECRET must be set")
    request = urllib.request.Request(f"{base}/_config/webhooks/bookingadmin", method="POST",
                                     data=json.dumps({"url": url, "secret": secret}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5):
        pass
    click.echo(f"localstripe delivers webhooks to {url}")
