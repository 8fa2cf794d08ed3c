from tests.payments.conftest import WEBHOOK_SECRET, card, localstripe, signals_seen, stripe_app  # noqa: F401
