"""Bookings through the API: create, read, list and page, every lifecycle move, and bad input."""
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bookingadmin.bookings.models import Booking, BookingEvent
from bookingadmin.core.clock import utcnow
from bookingadmin.extensions import db
from tests.factories import local_time


@pytest.fixture
def cat(make_catalog):
    return make_catalog()


def _payload(cat, **overrides):
    payload = {"consultation_type_id": cat.paid.id, "coach_id": cat.coach.id, "duration_minutes": 60,
               "starts_at": local_time(cat.coach, days=3, at="10:00").isoformat(), "meeting_type": "online"}
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


def test_customer_books_and_reads_the_booking(cat, api_for, documented, client):
    api = api_for(cat.customer)
    starts = local_time(cat.coach, days=3, at="10:00")
    response = api.post("/api/v1/bookings", json=_payload(cat, starts_at=starts.isoformat(),
                                                            intake={"injuries": "left knee"}))
    assert response.status_code == 201, response.get_json()
    body = documented(response, "Booking")
    assert body["status"] == "pending_payment" and body["hold_expires_at"]
    assert body["price"] == {"amount": "90.00", "currency": "USD"}
    assert body["starts_at"] == starts.isoformat() and body["timezone"] == "Europe/London"
    assert body["source"] == "api" and "cancel" in body["allowed_actions"]

    read = api.get(response.headers["Location"])
    assert read.status_code == 200 and documented(read, "Booking")["intake"] == {"injuries": "left knee"}
    assert "staff_notes" not in read.get_json()

    day = starts.astimezone(cat.coach.timezone and __import__("zoneinfo").ZoneInfo(cat.coach.timezone)).date()
    times = client.get(f"/api/v1/coaches/{cat.coach.id}/availability?type={cat.paid.id}&duration=60&from={day}"
                       f"&tz={cat.coach.timezone}").get_json()["times"]
    assert starts.isoformat() not in {t["starts_at"] for t in times}
    assert f"{day}T10:00:00+03:00" not in {t["starts_at"] for t in times}


def test_contact_details_default_to_the_account(cat, api_for):
    response = api_for(cat.customer).post("/api/v1/bookings", json=_payload(
        cat, contact={"email": "Work@Example.com"}))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["customer"] == {"id": cat.customer.id, "name": cat.customer.name,
                                               "email": "work@example.com", "phone": cat.customer.phone}


def test_free_booking_is_confirmed_at_once(cat, api_for):
    response = api_for(cat.customer).post("/api/v1/bookings", json=_payload(
        cat, consultation_type_id=cat.free.id, duration_minutes=30))
    assert response.status_code == 201
    assert response.get_json()["status"] == "confirmed"
    assert response.get_json()["price"] == {"amount": "0.00", "currency": "USD"}


def _bad_cases(cat):
    return [
        (dict(consultation_type_id=99999), 422, "consultation_type_id"),
        (dict(duration_minutes=45), 422, "duration_minutes"),
        (dict(starts_at=local_time(cat.coach, days=3, at="03:00").isoformat()), 422, "starts_at"),
        (dict(starts_at=local_time(cat.coach, days=3, at="10:07").isoformat()), 422, "starts_at"),
        (dict(starts_at=(utcnow() - timedelta(days=1)).isoformat()), 422, "starts_at"),
        (dict(starts_at=local_time(cat.coach, days=90, at="10:00").isoformat()), 422, "starts_at"),
        (dict(timezone="Mars/Olympus"), 400, "timezone"),
        (dict(starts_at="2026-02-30T10:00:00+03:00"), 400, "starts_at"),
        (dict(starts_at="next tuesday"), 400, "starts_at"),
        (dict(starts_at=local_time(cat.coach, days=3).replace(tzinfo=None).isoformat()), 400, "starts_at"),
        (dict(price="1.00"), 400, "price"),
        (dict(meeting_type="zoom"), 400, "meeting_type"),
        (dict(coach_id="one"), 400, "coach_id"),
        (dict(contact={"email": "not-an-email"}), 422, "contact.email"),
        (dict(contact={"phone": "0501234567"}), 422, "contact.phone"),
        (dict(intake=["knee"]), 400, "intake"),
    ]


def test_bad_booking_input_names_the_field_and_writes_nothing(cat, api_for, counts):
    api = api_for(cat.customer)
    before = counts(Booking, BookingEvent)
    for overrides, status, field in _bad_cases(cat):
        response = api.post("/api/v1/bookings", json=_payload(cat, **overrides))
        assert response.status_code == status, (overrides, response.get_json())
        error = response.get_json()["error"]
        assert field in error["fields"], (overrides, error)
        assert error["message"]
        assert counts(Booking, BookingEvent) == before, overrides
    missing = api.post("/api/v1/bookings", json={"coach_id": cat.coach.id})
    assert missing.status_code == 400
    assert {"consultation_type_id", "duration_minutes", "starts_at", "meeting_type"} <= set(
        missing.get_json()["error"]["fields"])


def test_a_time_just_taken_is_409(cat, api_for, make_user, counts):
    first = api_for(cat.customer).post("/api/v1/bookings", json=_payload(cat))
    assert first.status_code == 201
    before = counts(Booking)
    other = api_for(make_user(email="other@example.com"))
    response = other.post("/api/v1/bookings", json=_payload(cat))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "slot_taken"
    assert "starts_at" in response.get_json()["error"]["fields"]
    assert counts(Booking) == before


def test_another_customers_booking_is_404(make_booking, api_as, counts):
    booking = make_booking("confirmed")
    stranger, _ = api_as("customer")
    assert stranger.get(f"/api/v1/bookings/{booking.number}").status_code == 404
    response = stranger.post(f"/api/v1/bookings/{booking.number}/cancel", json={"reason": "mine now"})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert stranger.get("/api/v1/bookings/CB-00000000-NONE").status_code == 404
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"
    assert stranger.get("/api/v1/bookings").get_json()["items"] == []


def test_illegal_transition_is_409_with_the_reason(make_booking, api_as):
    booking = make_booking("cancelled")
    admin, _ = api_as("admin")
    response = admin.post(f"/api/v1/bookings/{booking.number}/complete")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "invalid_transition" and "cancelled" in error["message"]
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "cancelled"


def test_cancel_returns_the_refund_the_policy_gives(make_coach, make_type, make_booking, make_user, api_for,
                                                    documented):
    from bookingadmin.bookings import policy
    from bookingadmin.payments.services import record_manual_payment

    def paid_booking():  # paid in cash through payments, so there is money to give back
        booking = make_booking("pending_payment", ctype=ctype, coach=coach, customer=customer)
        record_manual_payment(booking, amount=booking.amount, method="cash", actor=None, now=utcnow())
        db.session.commit()
        return booking

    coach = make_coach()
    # any cancellation more than an hour ahead gets the partial refund, whatever the clock says
    ctype = make_type(coaches=[coach], options=((60, "90.00"),), refund_full_hours=500, refund_partial_hours=1,
                      refund_partial_percent=50)
    customer = make_user(email="payer@example.com")
    booking = paid_booking()
    expected_amount, expected_percent = policy.refund_for_cancellation(booking, utcnow())
    assert (expected_amount, expected_percent) == (Decimal("45.00"), 50)

    api = api_for(customer)
    refused = api.post(f"/api/v1/bookings/{booking.number}/cancel", json={"reason": "Sick", "by": "staff"})
    assert refused.status_code == 403
    response = api.post(f"/api/v1/bookings/{booking.number}/cancel", json={"reason": "Sick"})
    assert response.status_code == 200, response.get_json()
    body = documented(response, "Cancellation")
    assert body["refund"] == {"amount": "45.00", "currency": "USD", "percent": 50, "refunded": "45.00"}
    assert body["booking"]["status"] == "cancelled" and body["booking"]["cancellation"]["by"] == "customer"
    event = db.session.scalars(db.select(BookingEvent).where(BookingEvent.action == "cancelled")).one()
    assert event.data["refund_amount"] == "45.00"

    other = paid_booking()
    staff_api = api_for(make_user(role="support"))
    staff = staff_api.post(f"/api/v1/bookings/{other.number}/cancel", json={"reason": "Coach ill", "by": "staff"})
    assert staff.get_json()["refund"] == {"amount": "90.00", "currency": "USD", "percent": 100, "refunded": "90.00"}
    from bookingadmin.payments.models import Refund

    assert db.session.scalars(db.select(Refund.amount).where(Refund.booking_id == other.id)).all() == [Decimal("90.00")]


def test_cancel_needs_a_reason(make_booking, api_for, factories):
    booking = make_booking("confirmed")
    api = api_for(factories.default_catalog.customer)
    response = api.post(f"/api/v1/bookings/{booking.number}/cancel", json={})
    assert response.status_code == 400 and "reason" in response.get_json()["error"]["fields"]


def test_staff_moves_through_the_lifecycle(make_booking, factories, api_for, documented):
    cat = factories.default_catalog
    coach_api = api_for(cat.coach_user)
    waiting = make_booking("pending_confirmation")
    confirmed = coach_api.post(f"/api/v1/bookings/{waiting.number}/confirm", json={})
    assert confirmed.status_code == 200 and documented(confirmed, "Booking")["status"] == "confirmed"
    assert "staff_notes" in confirmed.get_json() and "intake" in confirmed.get_json()

    declined = make_booking("pending_confirmation")
    assert coach_api.post(f"/api/v1/bookings/{declined.number}/reject", json={}).status_code == 400
    rejected = coach_api.post(f"/api/v1/bookings/{declined.number}/reject", json={"reason": "Full week"})
    assert rejected.get_json()["status"] == "cancelled"

    past = make_booking("confirmed", starts_at=local_time(cat.coach, days=-1, at="10:00"))
    too_early = make_booking("confirmed")
    assert coach_api.post(f"/api/v1/bookings/{too_early.number}/complete").status_code == 409
    completed = coach_api.post(f"/api/v1/bookings/{past.number}/complete")
    assert completed.status_code == 200 and completed.get_json()["status"] == "completed"
    missed = make_booking("confirmed", starts_at=local_time(cat.coach, days=-1, at="12:00"))
    assert coach_api.post(f"/api/v1/bookings/{missed.number}/no-show").get_json()["status"] == "no_show"

    customer_api = api_for(cat.customer)
    feedback = customer_api.post(f"/api/v1/bookings/{past.number}/feedback", json={"rating": 5, "comment": "Great"})
    assert feedback.status_code == 200 and feedback.get_json()["feedback"]["rating"] == 5
    again = customer_api.post(f"/api/v1/bookings/{past.number}/feedback", json={"rating": 4})
    assert again.status_code == 409
    assert customer_api.post(f"/api/v1/bookings/{past.number}/feedback",
                             json={"rating": 9}).get_json()["error"]["fields"] == {
        "rating": "Give a number of at most 5"}
    # customers may not take staff actions
    assert customer_api.post(f"/api/v1/bookings/{missed.number}/complete").status_code == 403


def test_customer_reschedules_to_another_bookable_time(make_booking, factories, api_for):
    cat = factories.default_catalog
    booking = make_booking("confirmed", starts_at=local_time(cat.coach, days=3, at="10:00"))
    api = api_for(cat.customer)
    new_start = local_time(cat.coach, days=4, at="15:00")
    response = api.post(f"/api/v1/bookings/{booking.number}/reschedule", json={"starts_at": new_start.isoformat()})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "rescheduled" and body["starts_at"] == new_start.isoformat()
    assert body["rescheduled_from"] == local_time(cat.coach, days=3, at="10:00").isoformat()
    bad = api.post(f"/api/v1/bookings/{booking.number}/reschedule",
                   json={"starts_at": local_time(cat.coach, days=4, at="03:00").isoformat()})
    assert bad.status_code == 422 and "starts_at" in bad.get_json()["error"]["fields"]
    naive = api.post(f"/api/v1/bookings/{booking.number}/reschedule", json={"starts_at": "2030-01-01T10:00:00"})
    assert naive.status_code == 400 and "starts_at" in naive.get_json()["error"]["fields"]


def test_reschedule_options_are_the_times_the_booking_may_move_to(make_booking, factories, api_for, documented):
    cat = factories.default_catalog
    booking = make_booking("confirmed", starts_at=local_time(cat.coach, days=3, at="10:00"))
    other = make_booking("confirmed", starts_at=local_time(cat.coach, days=3, at="12:00"))
    api = api_for(cat.customer)
    day = booking.starts_at.astimezone(ZoneInfo(cat.coach.timezone)).date()
    url = f"/api/v1/bookings/{booking.number}/reschedule-options?from={day}&tz={cat.coach.timezone}"
    body = documented(api.get(url), "RescheduleOptions")
    starts = [t["starts_at"] for t in body["times"]]
    instants = {datetime.fromisoformat(t) for t in starts}
    assert booking.starts_at in instants and other.starts_at not in instants  # its own time is free for it only
    assert body["number"] == booking.number and body["timezone"] == cat.coach.timezone
    moved = api.post(f"/api/v1/bookings/{booking.number}/reschedule", json={"starts_at": starts[-1]})
    assert moved.status_code == 200 and datetime.fromisoformat(moved.get_json()["starts_at"]) == max(instants)
    api.post(f"/api/v1/bookings/{other.number}/cancel", json={"reason": "Away"})
    assert api.get(f"/api/v1/bookings/{other.number}/reschedule-options?from={day}").status_code == 409
    far = api.get(f"/api/v1/bookings/{booking.number}/reschedule-options?from={day}&to=2099-01-01")
    assert far.status_code == 422 and "to" in far.get_json()["error"]["fields"]


def test_coach_sees_only_their_bookings(make_booking, make_coach, make_type, factories, api_for, api_as):
    cat = factories.default_catalog
    mine = make_booking("confirmed")
    other_coach = make_coach()
    other_type = make_type(coaches=[other_coach])
    theirs = make_booking("confirmed", coach=other_coach, ctype=other_type)
    coach_api = api_for(cat.coach_user)
    numbers = [b["number"] for b in coach_api.get("/api/v1/bookings").get_json()["items"]]
    assert numbers == [mine.number]
    assert coach_api.get(f"/api/v1/bookings/{theirs.number}").status_code == 404
    assert coach_api.post(f"/api/v1/bookings/{theirs.number}/cancel", json={"reason": "x"}).status_code == 404
    admin, _ = api_as("admin")
    assert {b["number"] for b in admin.get("/api/v1/bookings").get_json()["items"]} == {mine.number, theirs.number}


def test_listing_filters_and_pages(make_booking, factories, api_for, api_as, documented):
    cat = factories.default_catalog
    made = [make_booking("confirmed") for _ in range(5)]
    past = make_booking("completed", starts_at=local_time(cat.coach, days=-2, at="10:00"))
    cancelled = make_booking("cancelled", starts_at=local_time(cat.coach, days=5, at="10:00"))
    api = api_for(cat.customer)

    seen, url, pages = [], "/api/v1/bookings?upcoming=true&status=confirmed&limit=2", 0
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.get_json()
        page = documented(response, "BookingPage")
        assert len(page["items"]) <= 2
        seen += [b["number"] for b in page["items"]]
        url, pages = page["next"], pages + 1
    assert seen == [b.number for b in sorted(made, key=lambda b: b.starts_at)] and pages == 3

    newest_first = [b["number"] for b in api.get("/api/v1/bookings").get_json()["items"]]
    assert newest_first[-1] == past.number and len(newest_first) == 7
    assert [b["number"] for b in api.get("/api/v1/bookings?upcoming=false").get_json()["items"]] == [past.number]
    assert [b["number"] for b in api.get("/api/v1/bookings?status=cancelled").get_json()["items"]] == [
        cancelled.number]
    first_day = made[0].starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London")).date()
    on_day = api.get(f"/api/v1/bookings?from={first_day}&to={first_day}&tz=Europe/London").get_json()["items"]
    assert made[0].number in {b["number"] for b in on_day}
    window = api.get("/api/v1/bookings", query_string={
        "from": made[0].starts_at.isoformat(), "to": (made[0].starts_at + timedelta(minutes=1)).isoformat()})
    assert [b["number"] for b in window.get_json()["items"]] == [made[0].number]
    assert len(api.get(f"/api/v1/bookings?coach={cat.coach.id}").get_json()["items"]) == 7
    assert api.get("/api/v1/bookings?coach=99999").get_json()["items"] == []


@pytest.mark.parametrize("query, field", [
    ("limit=101", "limit"), ("limit=0", "limit"), ("status=lost", "status"), ("cursor=garbage", "cursor"),
    ("from=2026-01-01T10:00:00", "from"), ("from=yesterday", "from"), ("upcoming=maybe", "upcoming"),
    ("tz=Nowhere/City", "tz"), ("from=2026-02-02&to=2026-02-01", "to"),
])
def test_bad_list_queries_are_400_naming_the_field(api_as, query, field):
    api, _ = api_as("customer")
    response = api.get(f"/api/v1/bookings?{query}")
    assert response.status_code == 400 and field in response.get_json()["error"]["fields"]


def test_staff_books_for_a_customer_and_customers_only_for_themselves(cat, api_for, make_user, counts):
    support = api_for(make_user(role="support"))
    response = support.post("/api/v1/bookings", json=_payload(cat, customer_id=cat.customer.id))
    assert response.status_code == 201 and response.get_json()["customer"]["id"] == cat.customer.id
    other = make_user(email="someone@example.com")
    before = counts(Booking)
    refused = api_for(cat.customer).post("/api/v1/bookings", json=_payload(
        cat, customer_id=other.id, starts_at=local_time(cat.coach, days=3, at="12:00").isoformat()))
    assert refused.status_code == 403 and counts(Booking) == before


def test_cookie_session_writes_need_the_csrf_header(cat, auth):
    auth.login(cat.customer.email)
    refused = auth.client.post("/api/v1/bookings", json=_payload(cat))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "csrf_failed"
    token = auth.client.get("/api/v1/auth/csrf-token").get_json()["csrf_token"]
    accepted = auth.client.post("/api/v1/bookings", json=_payload(cat), headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    assert auth.client.get("/api/v1/bookings").status_code == 200


def test_bookings_need_credentials(api):
    assert api.get("/api/v1/bookings").status_code == 401
    assert api.post("/api/v1/bookings", json={}).status_code == 401
    assert api.get("/api/v1/bookings/CB-20260101-AAAA").status_code == 401
