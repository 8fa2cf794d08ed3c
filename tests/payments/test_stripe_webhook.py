"""The Stripe webhook: signature checked by the real `stripe` library, each event applied once,
events delivered by localstripe itself to a live server."""
from __future__ import annotations

import hashlib
import hmac
import json
import time

from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db
from bookingadmin.payments import services
from bookingadmin.payments.models import Payment, ProcessedWebhookEvent
from tests.payments.conftest import WEBHOOK_SECRET
from tests.support.services import LiveServer, wait_until


def _signed(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    at = at or int(time.time())
    digest = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def _event(intent_id: str, event_id: str = "evt_test_1", kind: str = "payment_intent.succeeded") -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": kind,
                       "data": {"object": {"id": intent_id, "object": "payment_intent"}}}).encode()


def test_unsigned_or_badly_signed_webhooks_are_refused(stripe_app, client):
    payload = _event("pi_x")
    assert client.post("/stripe/webhook", data=payload).status_code == 400
    bad = client.post("/stripe/webhook", data=payload, headers={"Stripe-Signature": _signed(payload, "whsec_wrong")})
    assert bad.status_code == 400
    stale = client.post("/stripe/webhook", data=payload,
                        headers={"Stripe-Signature": _signed(payload, at=int(time.time()) - 3600)})
    assert stale.status_code == 400
    assert db.session.scalar(db.select(db.func.count(ProcessedWebhookEvent.id))) == 0


def test_a_replayed_event_changes_nothing(stripe_app, client, make_booking, localstripe, card, signals_seen):
    booking = make_booking("pending_payment")
    payment = services.start_card_payment(booking, actor=None, now=utcnow())
    db.session.commit()
    intent_id = payment.stripe_payment_intent_id
    ls = localstripe.client().v1
    ls.payment_intents.update(intent_id, params={"payment_method": card()})
    ls.payment_intents.confirm(intent_id)

    payload = _event(intent_id)
    first = client.post("/stripe/webhook", data=payload, headers={"Stripe-Signature": _signed(payload)})
    assert first.status_code == 200 and first.json == {"received": True}
    replay = client.post("/stripe/webhook", data=payload, headers={"Stripe-Signature": _signed(payload)})
    assert replay.status_code == 200 and replay.json["duplicate"] is True

    db.session.expire_all()
    assert db.session.get(type(booking), booking.id).status == "confirmed"
    assert signals_seen["payments"] == [payment.id]
    assert db.session.scalar(db.select(db.func.count(ProcessedWebhookEvent.id))) == 1


def test_localstripe_delivers_the_succeeded_event_to_a_live_server(stripe_app, make_booking, localstripe, card):
    booking = make_booking("pending_payment")
    payment = services.start_card_payment(booking, actor=None, now=utcnow())
    db.session.commit()
    with LiveServer(stripe_app) as live:
        hook = localstripe.register_webhook(live.url + "/stripe/webhook", WEBHOOK_SECRET,
                                            events=["payment_intent.succeeded", "payment_intent.payment_failed"])
        ls = localstripe.client().v1
        ls.payment_intents.update(payment.stripe_payment_intent_id, params={"payment_method": card()})
        ls.payment_intents.confirm(payment.stripe_payment_intent_id)

        def paid():
            db.session.expire_all()
            return db.session.get(Payment, payment.id).status == "succeeded"

        wait_until(paid, timeout=20, message="the webhook to mark the payment succeeded")
        localstripe.register_webhook("http://127.0.0.1:9/", WEBHOOK_SECRET, events=["none"], webhook_id=hook)
    db.session.expire_all()
    booking = db.session.get(type(booking), booking.id)
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    assert db.session.scalar(db.select(ProcessedWebhookEvent.type)) == "payment_intent.succeeded"
