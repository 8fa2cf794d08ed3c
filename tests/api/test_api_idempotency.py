"""Idempotency-Key (issue 16): a client that retries gets the first answer, not a second booking."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from bookingadmin.bookings.models import Booking
from bookingadmin.extensions import db
from tests.api.conftest import ApiClient
from tests.factories import local_time


@pytest.fixture
def cat(make_catalog):
    return make_catalog()


def _payload(cat, at: str = "10:00") -> dict:
    return {"consultation_type_id": cat.paid.id, "coach_id": cat.coach.id, "duration_minutes": 60,
            "starts_at": local_time(cat.coach, days=3, at=at).isoformat(), "meeting_type": "online"}


def _bookings() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_the_same_key_twice_books_once_and_answers_the_same(cat, api_for):
    api = api_for(cat.customer)
    key = {"Idempotency-Key": "book-3a7c"}
    first = api.post("/api/v1/bookings", json=_payload(cat), headers=key)
    again = api.post("/api/v1/bookings", json=_payload(cat), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert _bookings() == 1
    number = first.get_json()["number"]
    cancel = {"Idempotency-Key": "cancel-1"}
    cancelled = api.post(f"/api/v1/bookings/{number}/cancel", json={"reason": "plans changed"}, headers=cancel)
    assert cancelled.status_code == 200, cancelled.get_json()
    replayed = api.post(f"/api/v1/bookings/{number}/cancel", json={"reason": "plans changed"}, headers=cancel)
    assert (replayed.status_code, replayed.get_json()) == (200, cancelled.get_json())  # not a 409 "already cancelled"
    assert api.post(f"/api/v1/bookings/{number}/cancel", json={"reason": "plans changed"}).status_code == 409  # without the key: refused


def test_the_same_key_with_another_body_is_refused(cat, api_for):
    api = api_for(cat.customer)
    key = {"Idempotency-Key": "book-reused"}
    assert api.post("/api/v1/bookings", json=_payload(cat), headers=key).status_code == 201
    other = api.post("/api/v1/bookings", json=_payload(cat, at="14:00"), headers=key)
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert _bookings() == 1


def test_keys_are_per_user_and_errors_are_not_kept(cat, api_for, make_user):
    key = {"Idempotency-Key": "same-string"}
    mine = api_for(cat.customer).post("/api/v1/bookings", json=_payload(cat), headers=key)
    other = api_for(make_user("customer")).post("/api/v1/bookings", json=_payload(cat), headers=key)
    assert mine.status_code == 201
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "slot_taken"  # ran: not mine replayed
    retry = api_for(make_user("customer")).post("/api/v1/bookings", json=_payload(cat, at="15:00"),
                                                headers={"Idempotency-Key": "after-an-error"})
    assert retry.status_code == 201
    assert _bookings() == 2


def test_the_openapi_document_describes_the_header(app, api):
    document = api.get("/api/v1/openapi.json").get_json()
    create = document["paths"]["/api/v1/bookings"]["post"]
    [header] = [p for p in create["parameters"] if p["name"] == "Idempotency-Key"]
    assert header["in"] == "header" and "24 hours" in header["description"]
    assert "422" in create["responses"] and "409" in create["responses"]
    assert not any(p["name"] == "Idempotency-Key" for p in document["paths"]["/api/v1/bookings"]["get"].get(
        "parameters", []))


@pytest.fixture
def race_app(app, tmp_path):
    from tests.conftest import make_app

    racer = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path,
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 12, "max_overflow": 0, "pool_timeout": 60})
    yield racer
    with racer.app_context():
        db.engine.dispose()


@pytest.mark.postgres_only  # ten requests at once, each on its own connection
def test_ten_concurrent_requests_with_one_key_book_once_with_identical_answers(cat, race_app):
    payload, email = _payload(cat), cat.customer.email
    db.session.commit()
    clients = [ApiClient(race_app.test_client()) for _ in range(10)]
    for client in clients:
        client.login(email)
    barrier, answers = threading.Barrier(10), [None] * 10

    def send(i: int) -> None:
        barrier.wait(timeout=30)
        response = clients[i].post("/api/v1/bookings", json=payload, headers={"Idempotency-Key": "burst-1"})
        answers[i] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=send, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][0] == 201
    assert _bookings() == 1
