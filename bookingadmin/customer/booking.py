"""The booking wizard: pick a time (guests too) → log in → details → review → pay → success.

The chosen time is kept in the session (a small draft: type, coach, duration, meeting type,
start, zone), so logging in or registering in the middle loses nothing. Details travel as form
fields from the details page through the review page to "Pay", and are validated again there;
the price is always the server's. Every rule is the services': availability says what is
bookable, lifecycle creates the booking, payments takes the money.
"""
from __future__ import annotations

import calendar
import uuid
from datetime import date, datetime, timezone

from babel.dates import get_day_names, get_month_names
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from zoneinfo import ZoneInfo, available_timezones

from ..availability import services as availability
from ..bookings import lifecycle
from ..bookings.services import get_booking_for
from ..core.clock import utcnow
from ..core.display import viewer_zone_name
from ..core.errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..payments import services as payments
from ..payments.gateway import GatewayError, stripe_configured
from .forms import ChooseTimeForm, DetailsForm
from .helpers import clear_draft, get_draft, save_draft
from .catalog_pages import active_coaches, active_type, bp

ANY = "any"
COMMON_ZONES = ("Asia/Riyadh", "Asia/Dubai", "Africa/Cairo", "Europe/London", "Europe/Berlin", "America/New_York",
                "Asia/Kolkata", "UTC")


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _meeting_types(ctype) -> list[str]:
    return ["online", "in_person"] if ctype.meeting_mode == "both" else [ctype.meeting_mode]


def _month_of(raw: str | None, today: date) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        if 1 <= month <= 12 and today.year - 1 <= year <= today.year + 2:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


def _dates_for(coach_ids, ctype, duration, year, month, tz, now) -> dict[date, list[int]]:
    """Bookable dates of the month, each with the coaches free that day."""
    by_coach = availability.available_dates_by_coach(
        coach_ids=coach_ids, consultation_type_id=ctype.id, duration_minutes=duration, year=year, month=month,
        viewer_tz=tz, now=now)
    days: dict[date, list[int]] = {}
    for coach_id in coach_ids:
        for day in by_coach.get(coach_id, []):
            days.setdefault(day, []).append(coach_id)
    return days


def _times_for(coach_ids, ctype, duration, day, tz, now) -> list[tuple]:
    """(BookableTime, coach_id) on the viewer's `day`; with several coaches, the first free one per time."""
    seen: dict[datetime, tuple] = {}
    for coach_id in coach_ids:
        for offer in availability.bookable_times(coach_id=coach_id, consultation_type_id=ctype.id,
                                                 duration_minutes=duration, start=day, end=day, viewer_tz=tz,
                                                 now=now):
            seen.setdefault(offer.starts_at, (offer, coach_id))
    return [seen[key] for key in sorted(seen)]


@bp.route("/book/<int:number>")
def book(number: int):
    """Coach, duration, meeting type, a month calendar and the chosen date's times."""
    ctype = active_type(number)
    coaches = active_coaches(ctype)
    draft = get_draft() if (get_draft() or {}).get("type") == number else {}
    tz = viewer_zone_name(request.args.get("tz"))
    now = utcnow()
    coach_choice = request.args.get("coach") or str(draft.get("coach_choice") or ANY)
    coach_ids = [c.id for c in coaches]
    if coach_choice != ANY:
        chosen = _int(coach_choice)
        coach_ids = [chosen] if chosen in coach_ids else coach_ids
        coach_choice = str(chosen) if chosen in coach_ids else ANY
    durations = [o.minutes for o in ctype.duration_options]
    duration = _int(request.args.get("duration"), draft.get("duration"))
    duration = duration if duration in durations else (ctype.default_option.minutes if durations else None)
    meetings = _meeting_types(ctype)
    meeting = request.args.get("meeting") or draft.get("meeting_type")
    meeting = meeting if meeting in meetings else meetings[0]
    today = now.astimezone(ZoneInfo(tz)).date()
    year, month = _month_of(request.args.get("month"), today)
    chosen_day = _parse_day(request.args.get("date"))
    days, times = {}, []
    if duration and coach_ids:
        days = _dates_for(coach_ids, ctype, duration, year, month, tz, now)
        if chosen_day is not None:
            times = _times_for(coach_ids, ctype, duration, chosen_day, tz, now)
    state = {"coach": coach_choice, "duration": duration, "meeting": meeting, "tz": tz}

    def day_link(day: date) -> str:
        return url_for(".book", number=number, month=f"{year:04d}-{month:02d}", date=day.isoformat(), **state)

    return render_template("customer/book.html", ctype=ctype, day_link=day_link, coaches=coaches, durations=durations, meetings=meetings,
                           state=state, year=year, month=month, weeks=_weeks(year, month), days=days,
                           chosen_day=chosen_day, times=times, zones=_zones(tz), form=ChooseTimeForm(),
                           month_name=get_month_names("wide", locale=_lang())[month],
                           day_names=_day_names(), prev_month=_shift(year, month, -1), next_month=_shift(year, month, 1),
                           today=today)


def _lang() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "en")


def _day_names() -> list[str]:
    names = get_day_names("abbreviated", locale=_lang())
    return [names[(6 + i) % 7] for i in range(7)]  # weeks start on Sunday


def _weeks(year: int, month: int) -> list[list[date | None]]:
    cal = calendar.Calendar(firstweekday=6)
    return [[d if d.month == month else None for d in week] for week in cal.monthdatescalendar(year, month)]


def _shift(year: int, month: int, delta: int) -> str:
    index = year * 12 + (month - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _zones(current: str) -> list[str]:
    zones = list(COMMON_ZONES)
    if current not in zones:
        zones.insert(0, current)
    return zones


@bp.route("/book/<int:number>/time", methods=["POST"])
def choose_time(number: int):
    """Keep the chosen time (after checking it is still bookable) and go on to the details."""
    ctype = active_type(number)
    form = ChooseTimeForm()
    back = url_for(".book", number=number)
    if not form.validate_on_submit():
        flash(_("Please choose one of the offered times."), "error")
        return redirect(back)
    try:
        starts_at = datetime.fromisoformat(form.starts_at.data)
        if starts_at.tzinfo is None:
            raise ValueError
        offer = availability.check_bookable(coach_id=form.coach_id.data, consultation_type_id=ctype.id,
                                            duration_minutes=form.duration.data, starts_at=starts_at, now=utcnow(),
                                            slot_id=form.slot_id.data)
    except ValueError:
        flash(_("Please choose one of the offered times."), "error")
        return redirect(back)
    except DomainError as error:
        flash(_("That time is no longer available. Please choose another one.") + f" ({error.message})", "error")
        return redirect(back)
    if form.meeting_type.data not in _meeting_types(ctype):
        flash(_("Choose online or in person."), "error")
        return redirect(back)
    save_draft({"type": number, "coach_id": form.coach_id.data, "coach_choice": request.form.get("coach_choice", ANY),
                "duration": form.duration.data, "meeting_type": form.meeting_type.data,
                "starts_at": starts_at.astimezone(timezone.utc).isoformat(),
                "slot_id": offer.slot_id or form.slot_id.data, "tz": form.tz.data})
    session["timezone"] = form.tz.data
    return redirect(url_for(".details"))


def _draft_or_restart():
    draft = get_draft()
    if not draft:
        flash(_("Please choose a consultation and a time first."), "info")
        return None, redirect(url_for(".index"))
    ctype = active_type(draft["type"])
    return (draft, ctype), None


def _summary(draft: dict, ctype) -> dict:
    from ..catalog.models import CoachProfile

    coach = db.session.get(CoachProfile, draft["coach_id"])
    option = ctype.option_for(draft["duration"])
    if coach is None or option is None:
        abort(404)
    return {"ctype": ctype, "coach": coach, "duration": draft["duration"], "meeting_type": draft["meeting_type"],
            "starts_at": datetime.fromisoformat(draft["starts_at"]), "tz": draft["tz"], "price": option.price,
            "currency": ctype.currency}


def _prefill(form: DetailsForm) -> None:
    user = current_user
    form.name.data = form.name.data or user.name
    form.email.data = form.email.data or user.email
    form.phone.data = form.phone.data or user.phone
    form.gender.data = form.gender.data or user.gender or ""
    form.fitness_level.data = form.fitness_level.data or user.fitness_level or ""
    form.goals.data = form.goals.data or user.goals
    if user.date_of_birth and not form.age.data:
        today = utcnow().date()
        dob = user.date_of_birth
        form.age.data = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


@bp.route("/book/details", methods=["GET", "POST"])
@login_required
def details():
    """Contact details (prefilled from the account), the intake form and an alternative time."""
    found, redirect_to = _draft_or_restart()
    if redirect_to:
        return redirect_to
    draft, ctype = found
    summary = _summary(draft, ctype)
    form = DetailsForm()
    if request.method == "GET":
        _prefill(form)
        form.nonce.data = uuid.uuid4().hex
    elif request.form.get("edit"):  # "Edit details" from the review page
        return render_template("customer/details.html", form=form, s=summary)
    elif form.validate_on_submit():
        return render_template("customer/review.html", form=form, s=summary, policy=ctype)
    status = 400 if form.errors else 200
    return render_template("customer/details.html", form=form, s=summary), status


@bp.route("/book/confirm", methods=["POST"])
@login_required
def confirm():
    """"Pay": create the booking on hold (or confirmed, when free) and go to the payment step."""
    made = session.get("booking_nonces", {})
    nonce = request.form.get("nonce")
    if nonce and nonce in made:  # a double click on "Pay": the booking it already made
        return redirect(url_for(".pay", number=made[nonce]))
    found, redirect_to = _draft_or_restart()
    if redirect_to:
        return redirect_to
    draft, ctype = found
    form = DetailsForm()
    if not form.validate_on_submit():
        return render_template("customer/details.html", form=form, s=_summary(draft, ctype)), 400
    try:
        booking = lifecycle.create_booking(
            customer=current_user, consultation_type_id=ctype.id, coach_id=draft["coach_id"],
            duration_minutes=draft["duration"], starts_at=datetime.fromisoformat(draft["starts_at"]),
            meeting_type=draft["meeting_type"], timezone=draft["tz"], actor=current_user, now=utcnow(),
            contact={"name": form.name.data, "email": form.email.data, "phone": form.phone.data},
            intake=form.intake() or None,
            alternative=(form.alternative_date.data, form.alternative_time.data) if form.alternative_date.data else None,
            slot_id=draft.get("slot_id"), source="web", ip_address=request.remote_addr,
            user_agent=request.headers.get("User-Agent"))
        if form.save_to_profile.data:
            _save_profile(form)
    except Conflict as error:
        db.session.rollback()
        flash(_("Sorry, that time was just taken. Please choose another one."), "error")
        current_app.logger.info("booking refused: %s", error.message)
        return redirect(url_for(".book", number=ctype.number))
    except DomainError as error:
        db.session.rollback()
        for name, message in error.fields.items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = list(field.errors) + [message]
        if not error.fields or not any(hasattr(form, n) for n in error.fields):
            flash(error.message, "error")
        return render_template("customer/details.html", form=form, s=_summary(draft, ctype)), 400
    db.session.commit()
    session["booking_nonces"] = {**{k: v for k, v in list(made.items())[-4:]}, form.nonce.data: booking.number}
    clear_draft()
    if booking.status != "pending_payment":
        return redirect(url_for(".done", number=booking.number))
    return redirect(url_for(".pay", number=booking.number))


def _save_profile(form: DetailsForm) -> None:
    user = current_user
    user.name = form.name.data.strip()
    user.phone = form.phone.data
    user.gender = form.gender.data or user.gender
    user.fitness_level = form.fitness_level.data or user.fitness_level
    user.goals = form.goals.data or user.goals


# --------------------------------------------------------------------------- payment


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
    if not stripe_configured():
        return render_template("customer/pay.html", booking=booking, flow=None, client_secret=None,
                               failure=None, hold_seconds=_hold_seconds(booking, now))
    flow, secret = confirm_flow(), None
    failure = None
    try:
        if request.args.get("failed"):
            payments.refresh_from_stripe(booking, now=now)
            failure = _last_failure(booking)
        if flow == "payment_intent":
            payment = payments.start_card_payment(booking, actor=current_user, now=now)
            db.session.commit()
            secret = payments.client_secret_for(payment)
        else:
            secret = payments.get_gateway().create_setup_intent(
                metadata={"booking_number": booking.number})["client_secret"]
    except (DomainError, GatewayError) as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".done", number=booking.number))
    return render_template("customer/pay.html", booking=booking, flow=flow, client_secret=secret, failure=failure,
                           hold_seconds=_hold_seconds(booking, now))


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
    try:
        payment = payments.start_card_payment(booking, actor=current_user, now=utcnow(), payment_method=payment_method)
    except (DomainError, GatewayError) as error:
        db.session.rollback()
        return jsonify(status="error", message=error.message, redirect=url_for(".done", number=number)), 409
    db.session.commit()
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
    try:
        payment = payments.refresh_from_stripe(booking, now=utcnow())
        db.session.commit()
    except (DomainError, GatewayError) as error:
        db.session.rollback()
        flash(error.message, "error")
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
        try:
            payments.refresh_from_stripe(booking, now=utcnow())
            db.session.commit()
        except (DomainError, GatewayError):
            db.session.rollback()
        db.session.refresh(booking)
    return render_template("customer/done.html", booking=booking, late_refund=payments.automatic_refund(booking))


@bp.route("/bookings/<number>.ics")
@login_required
def booking_ics(number: str):
    from flask_babel import get_locale

    from ..calendar.ics import download

    booking = _own_booking(number)
    if booking.status == "cancelled":
        abort(404)
    body = download(booking, tz=booking.timezone, now=utcnow(), language=str(get_locale() or "en"))
    return current_app.response_class(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{booking.number}.ics"'})


def all_zones() -> list[str]:
    return sorted(available_timezones())
