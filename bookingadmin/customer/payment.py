"""The payment step of the wizard and what follows it: pay for a booking on hold (card through
Stripe.js, or the manual instructions), come back from Stripe, the success page and the .ics file.

The amount is always the booking's own; payments decides what a PaymentIntent is for and reads
its outcome from Stripe (never only from the page).
"""
from __future__ import annotations

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from zoneinfo import available_timezones

from ..bookings.services import get_booking_for
from ..core.clock import utcnow
from ..core.errors import NotFound
from ..core.web import run_service
from ..extensions import db
from ..payments import services as payments
from ..payments.gateway import GatewayError, stripe_configured
from .catalog_pages import bp

CARD_ERRORS = (GatewayError,)


def _own_booking(number: str):
    try:
        return get_booking_for(current_user, number)
    except NotFound:
        abort(404)


def confirm_flow() -> str:
    """How the page confirms the card: "payment_intent" (Stripe.js confirmCardPayment, real Stripe)
    or "setup_intent" (confirmCardSetup, then the server confirms; localstripe)."""
    configured = current_app.config.get("STRIPE_CONFIRM_FLOW")
    if configured in ("payment_intent", "setup_intent"):
        return configured
    return "setup_intent" if current_app.config.get("STRIPE_API_BASE") else "payment_intent"


@bp.route("/bookings/<number>/pay")
@login_required
def pay(number: str):
    booking = _own_booking(number)
    if booking.status != "pending_payment":
        return redirect(url_for(".done", number=booking.number))
    now = utcnow()
    if booking.hold_expires_at and booking.hold_expires_at <= now:
        return render_template("customer/pay_expired.html", booking=booking), 409
    card = {"flow": None, "client_secret": None, "failure": None}
    if stripe_configured():
        with run_service(also=CARD_ERRORS) as ran:
            card = _card_step(booking, now)
        if not ran:
            return redirect(url_for(".done", number=booking.number))
    return render_template("customer/pay.html", booking=booking, hold_seconds=_hold_seconds(booking, now), **card)


def _card_step(booking, now) -> dict:
    """The card form's flow and client secret (and why the last attempt failed, after a failure)."""
    failure = None
    if request.args.get("failed"):
        payments.refresh_from_stripe(booking, now=now)
        failure = _last_failure(booking)
    flow = confirm_flow()
    if flow == "payment_intent":
        payment = payments.start_card_payment(booking, actor=current_user, now=now)
        db.session.commit()  # the PaymentIntent is ours before its secret is asked of Stripe
        secret = payments.client_secret_for(payment)
    else:
        intent = payments.get_gateway().create_setup_intent(metadata={"booking_number": booking.number})
        secret = intent["client_secret"]
    return {"flow": flow, "client_secret": secret, "failure": failure}


def _hold_seconds(booking, now) -> int:
    return max(int((booking.hold_expires_at - now).total_seconds()), 0) if booking.hold_expires_at else 0


def _last_failure(booking) -> str | None:
    payment = payments.latest_card_attempt(booking)
    return payment.failure_message if payment is not None else None


@bp.route("/bookings/<number>/pay/card", methods=["POST"])
@login_required
def pay_with_card(number: str):
    """The setup_intent flow: the page sends the PaymentMethod Stripe.js made; the server creates and
    confirms the PaymentIntent for the booking's own amount. Answers JSON for the page's script."""
    booking = _own_booking(number)
    payment_method = (request.get_json(silent=True) or {}).get("payment_method") or request.form.get("payment_method")
    if not isinstance(payment_method, str) or not payment_method.startswith("pm_"):
        return jsonify(status="error", message=_("The card could not be read. Please try again.")), 400
    with run_service(show=False, also=CARD_ERRORS) as ran:
        payment = payments.start_card_payment(booking, actor=current_user, now=utcnow(), payment_method=payment_method)
    if not ran:
        return jsonify(status="error", message=ran.error.message, redirect=url_for(".done", number=number)), 409
    return jsonify(_payment_answer(payment, number))


def _payment_answer(payment, number: str) -> dict:
    answer = {"status": payment.status, "return_url": url_for(".payment_return", number=number)}
    if payment.status == "failed":
        answer["message"] = payment.failure_message or _("The payment did not go through.")
    if payment.status == "requires_action":
        answer["client_secret"] = payments.client_secret_for(payment)
    return answer


@bp.route("/bookings/<number>/pay/return")
@login_required
def payment_return(number: str):
    """Where the page goes after Stripe.js: re-read the PaymentIntent (never only the webhook)."""
    booking = _own_booking(number)
    with run_service(also=CARD_ERRORS) as ran:
        payment = payments.refresh_from_stripe(booking, now=utcnow())
    if not ran:
        return redirect(url_for(".pay", number=number, failed=1))
    db.session.refresh(booking)
    if payment is not None and payment.status in ("succeeded", "authorized") or booking.status != "pending_payment":
        return redirect(url_for(".done", number=number))
    return redirect(url_for(".pay", number=number, failed=1))


@bp.route("/bookings/<number>/done")
@login_required
def done(number: str):
    """Success page: the booking in the customer's zone, add to calendar, link to my bookings."""
    booking = _own_booking(number)
    if booking.status == "pending_payment" and stripe_configured():
        with run_service(show=False, also=CARD_ERRORS):  # Stripe unreachable: show what we know
            payments.refresh_from_stripe(booking, now=utcnow())
        db.session.refresh(booking)
    return render_template("customer/done.html", booking=booking, late_refund=payments.automatic_refund(booking))


@bp.route("/bookings/<number>.ics")
@login_required
def booking_ics(number: str):
    from ..calendar.ics import download

    booking = _own_booking(number)
    if booking.status == "cancelled":
        abort(404)
    body = download(booking, tz=booking.timezone, now=utcnow(), language=str(get_locale() or "en"))
    return current_app.response_class(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{booking.number}.ics"'})


def all_zones() -> list[str]:
    return sorted(available_timezones())
