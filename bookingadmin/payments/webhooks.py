"""POST /stripe/webhook: Stripe's signed event deliveries.

Refused with 400 unless the Stripe-Signature verifies against STRIPE_WEBHOOK_SECRET and its
timestamp is within SIGNATURE_TOLERANCE of now, in the past (an old delivery replayed later) or
in the future (a signature made ahead of time); and unless the event names an id. Each event id is recorded
once (ProcessedWebhookEvent, primary key): a replay answers 200 and changes nothing. The event's
PaymentIntent is re-fetched from Stripe rather than trusted from the body, so deliveries in any
order leave the same result.
"""
from __future__ import annotations

import logging
import time

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError

from ..core.clock import utcnow
from ..core.errors import DomainError
from ..extensions import csrf, db
from .gateway import GatewayError, construct_event, get_gateway
from .models import ProcessedWebhookEvent

log = logging.getLogger(__name__)
bp = Blueprint("payments", __name__)

SIGNATURE_TOLERANCE = 300  # seconds, both ways; Stripe's own default for old signatures
MAX_EVENT_ID_LENGTH = 255   # ProcessedWebhookEvent.id

HANDLED = ("payment_intent.succeeded", "payment_intent.amount_capturable_updated",
           "payment_intent.payment_failed", "payment_intent.canceled", "payment_intent.requires_action")


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def stripe_webhook():
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        return jsonify(error={"code": "not_configured", "message": "Webhooks are not configured"}), 400
    signature = request.headers.get("Stripe-Signature")
    try:
        event = construct_event(request.get_data(), signature, secret)
        _check_not_from_the_future(signature)
    except ValueError as error:
        log.warning("refused a Stripe webhook: %s", error)
        return jsonify(error={"code": "bad_signature", "message": "The signature did not verify"}), 400
    if not _has_usable_id(event):
        log.warning("refused a signed Stripe webhook without a usable event id")
        return jsonify(error={"code": "invalid_event", "message": "The event has no id"}), 400
    return handle_event(event)


def _check_not_from_the_future(signature: str) -> None:
    """The library refuses old timestamps only; one ahead of the clock is refused the same way."""
    stamps = [part.strip()[2:] for part in signature.split(",") if part.strip().startswith("t=")]
    try:
        signed_at = max(int(stamp) for stamp in stamps)
    except ValueError:  # none, or not a number
        raise ValueError("no timestamp in the signature") from None
    if signed_at > time.time() + SIGNATURE_TOLERANCE:
        raise ValueError("the signature's timestamp is in the future")


def _has_usable_id(event) -> bool:
    event_id = event.get("id") if isinstance(event, dict) else None
    return isinstance(event_id, str) and 0 < len(event_id) <= MAX_EVENT_ID_LENGTH and "\x00" not in event_id


def handle_event(event: dict):
    obj = (event.get("data") or {}).get("object") or {}
    intent_id = obj.get("id") if obj.get("object") == "payment_intent" else None
    db.session.add(ProcessedWebhookEvent(id=event["id"], type=event.get("type", ""), payment_intent_id=intent_id))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return jsonify(received=True, duplicate=True)
    if event.get("type") in HANDLED and intent_id:
        try:
            _apply_intent(intent_id)
        except GatewayError as error:
            db.session.rollback()  # the event row goes too: Stripe retries the delivery
            log.warning("webhook %s: Stripe unreachable: %s", event["id"], error.message)
            return jsonify(error={"code": "gateway_error", "message": error.message}), 503
        except DomainError as error:
            log.warning("webhook %s for %s not applied: %s", event["id"], intent_id, error.message)
    try:
        db.session.commit()
    except IntegrityError:  # the same event delivered twice at once: the other one won
        db.session.rollback()
        return jsonify(received=True, duplicate=True)
    return jsonify(received=True)


def _apply_intent(intent_id: str) -> None:
    from .services import payment_for_intent, sync_payment_intent

    payment = payment_for_intent(intent_id)
    if payment is None:
        log.info("webhook for unknown PaymentIntent %s ignored", intent_id)
        return
    intent = get_gateway().retrieve_payment_intent(intent_id)
    sync_payment_intent(payment, intent, now=utcnow())
