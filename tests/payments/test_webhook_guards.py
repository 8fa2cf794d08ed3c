"""A signed Stripe delivery is still refused (400, nothing recorded) without an event id, or when
its signature is dated in the future; today's deliveries still go through."""
from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from bookingadmin.extensions import db
from bookingadmin.payments.models import ProcessedWebhookEvent

SECRET = "whsec_guards_test"


def _signed(payload: bytes, at: int) -> str:
    digest = hmac.new(SECRET.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


@pytest.fixture
def hook(app):
    app.config["STRIPE_WEBHOOK_SECRET"] = SECRET
    client = app.test_client()

    def post(event: dict, at: int | None = None):
        payload = json.dumps(event).encode()
        return client.post("/stripe/webhook", data=payload,
                           headers={"Stripe-Signature": _signed(payload, at or int(time.time()))})

    return post


def _recorded() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(ProcessedWebhookEvent))


@pytest.mark.parametrize("event", [
    {"object": "event", "type": "customer.created", "data": {"object": {}}},
    {"id": "", "object": "event", "type": "customer.created"},
    {"id": 12, "object": "event", "type": "customer.created"},
    {"id": "evt_" + "x" * 300, "object": "event", "type": "customer.created"},
], ids=["missing", "empty", "number", "too-long"])
def test_a_signed_event_without_a_usable_id_is_400(hook, event):
    response = hook(event)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_event"
    assert _recorded() == 0


def test_a_signature_dated_in_the_future_is_refused_like_an_old_one(hook):
    event = {"id": "evt_future", "object": "event", "type": "customer.created"}
    for at in (int(time.time()) + 3600, int(time.time()) - 3600):
        response = hook(event, at=at)
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_signature"
    assert _recorded() == 0
    assert hook(event, at=int(time.time()) + 60).status_code == 200  # clocks a minute apart still agree
    assert _recorded() == 1
