"""localstripe for the payments and customer tests: one server per test session, the app pointed at it."""
from __future__ import annotations

import pytest

from tests.support.services import LocalStripe, require_service

WEBHOOK_SECRET = "whsec_test_bookingadmin"


@pytest.fixture(scope="session")
def localstripe():
    server = require_service("localstripe", lambda: LocalStripe(persist=False))
    yield server
    server.close()


@pytest.fixture
def stripe_app(app, localstripe):
    """The app (each backend) with Stripe keys aimed at localstripe."""
    app.config.update(STRIPE_SECRET_KEY=LocalStripe.API_KEY, STRIPE_PUBLISHABLE_KEY=LocalStripe.PUBLISHABLE_KEY,
                      STRIPE_API_BASE=localstripe.url, STRIPE_JS_URL=localstripe.js_url,
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    return app


@pytest.fixture
def card(localstripe):
    """card("4242424242424242") -> a PaymentMethod id made at localstripe (as Stripe.js would)."""
    client = localstripe.client().v1

    def make(number: str = "4242424242424242") -> str:
        return client.payment_methods.create(params={"type": "card", "card": {
            "number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}).id

    return make


@pytest.fixture
def signals_seen(app):
    """Records payment_recorded / refund_issued as they are sent."""
    from bookingadmin.payments.signals import payment_recorded, refund_issued

    seen = {"payments": [], "refunds": []}

    def on_payment(sender, payment, **_):
        seen["payments"].append(payment.id)

    def on_refund(sender, refund, **_):
        seen["refunds"].append(refund.id)

    payment_recorded.connect(on_payment)
    refund_issued.connect(on_refund)
    yield seen
    payment_recorded.disconnect(on_payment)
    refund_issued.disconnect(on_refund)
