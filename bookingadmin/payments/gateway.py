"""The only module that talks to Stripe. Everything else sees plain dicts and our own errors.

Integer minor units are computed here from the currency's exponent (core.money); callers pass
Decimal amounts. With STRIPE_API_BASE set (tests, the demo) requests go to localstripe.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import stripe
from flask import current_app

from ..core.money import from_minor_units, to_minor_units


class GatewayError(Exception):
    """Stripe said no or could not be reached. `message` can be shown to the customer."""

    def __init__(self, message: str, *, declined: bool = False, retryable: bool = False,
                 payment_intent_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.declined = declined
        self.retryable = retryable
        self.payment_intent_id = payment_intent_id


# Stripe's PaymentIntent states in our words (Stripe spells it "canceled"; we store "cancelled"). The
# states missing here (requires_payment_method, requires_confirmation, processing) are "pending".
STRIPE_TO_PAYMENT_STATUS = {
    "succeeded": "succeeded",
    "requires_capture": "authorized",
    "requires_action": "requires_action",
    "canceled": "cancelled",
}


def payment_status_of(intent: dict) -> str:
    """Our Payment status for a PaymentIntent as Stripe reports it."""
    return STRIPE_TO_PAYMENT_STATUS.get(intent.get("status"), "pending")


def refund_refused(result: dict) -> bool:
    """Stripe will not give this refund back (a refund it "canceled" is as refused as a failed one)."""
    return result.get("status") in ("failed", "canceled")


def stripe_configured(app=None) -> bool:
    config = (app or current_app).config
    return bool(config.get("STRIPE_SECRET_KEY"))


def get_gateway() -> "StripeGateway":
    config = current_app.config
    if not config.get("STRIPE_SECRET_KEY"):
        raise GatewayError("Card payments are not set up (STRIPE_SECRET_KEY is empty)")
    return StripeGateway(config["STRIPE_SECRET_KEY"], api_base=config.get("STRIPE_API_BASE"))


def _plain(obj: Any) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _translate(error: stripe.StripeError) -> GatewayError:
    body = (getattr(error, "json_body", None) or {}).get("error") or {}
    pi = body.get("payment_intent") or {}
    pi_id = pi.get("id") if isinstance(pi, dict) else None
    if isinstance(error, stripe.CardError):
        return GatewayError(error.user_message or "Your card was declined.", declined=True,
                            payment_intent_id=pi_id)
    if isinstance(error, (stripe.APIConnectionError, stripe.RateLimitError)):
        return GatewayError("The payment service cannot be reached right now. Please try again.",
                            retryable=True)
    message = getattr(error, "user_message", None) or str(error) or "The payment service refused the request"
    return GatewayError(message, retryable=(getattr(error, "http_status", None) or 500) >= 500,
                        payment_intent_id=pi_id)


class StripeGateway:
    def __init__(self, secret_key: str, *, api_base: str | None = None):
        options: dict[str, Any] = {"max_network_retries": 1}
        if api_base:
            options["base_addresses"] = {"api": api_base}
        self._client = stripe.StripeClient(secret_key, **options)
        self._v1 = self._client.v1

    def _call(self, fn, *args, **kwargs) -> dict:
        try:
            return _plain(fn(*args, **kwargs))
        except stripe.StripeError as error:
            raise _translate(error) from error

    def create_payment_intent(self, *, amount: Decimal, currency: str, idempotency_key: str,
                              capture_method: str = "automatic", metadata: dict | None = None,
                              payment_method: str | None = None) -> dict:
        """A PaymentIntent for `amount`; given a payment method it is confirmed at once."""
        params: dict[str, Any] = {
            "amount": to_minor_units(amount, currency), "currency": currency.lower(),
            "capture_method": capture_method, "metadata": metadata or {},
        }
        if payment_method:
            params.update(payment_method=payment_method, confirm=True)
        else:
            params["payment_method_types"] = ["card"]
        return self._call(self._v1.payment_intents.create, params=params,
                          options={"idempotency_key": idempotency_key})

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict:
        return self._call(self._v1.payment_intents.retrieve, payment_intent_id)

    def capture_payment_intent(self, payment_intent_id: str, *, idempotency_key: str) -> dict:
        return self._call(self._v1.payment_intents.capture, payment_intent_id,
                          options={"idempotency_key": idempotency_key})

    def cancel_payment_intent(self, payment_intent_id: str) -> dict:
        return self._call(self._v1.payment_intents.cancel, payment_intent_id)

    def create_refund(self, *, payment_intent_id: str, amount: Decimal, currency: str,
                      idempotency_key: str, metadata: dict | None = None) -> dict:
        params = {"payment_intent": payment_intent_id, "amount": to_minor_units(amount, currency),
                  "metadata": metadata or {}}
        return self._call(self._v1.refunds.create, params=params, options={"idempotency_key": idempotency_key})

    def create_setup_intent(self, *, metadata: dict | None = None) -> dict:
        return self._call(self._v1.setup_intents.create,
                          params={"payment_method_types": ["card"], "metadata": metadata or {}})


def amount_of(payment_intent: dict) -> Decimal:
    """The PaymentIntent's amount back in Decimal."""
    return from_minor_units(int(payment_intent["amount"]), payment_intent["currency"].upper())


def construct_event(payload: bytes, signature: str | None, secret: str) -> dict:
    """The verified event as a dict; ValueError when the signature or payload is not right."""
    if not signature:
        raise ValueError("missing Stripe-Signature header")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError as error:
        raise ValueError(f"bad signature: {error}") from None
    return _plain(event)
