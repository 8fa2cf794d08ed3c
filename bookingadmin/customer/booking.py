"""The booking wizard: pick a time (guests too) → log in → details → review → "Pay".

The chosen time is kept in the session (a small draft: type, coach, duration, meeting type,
start, zone), so logging in or registering in the middle loses nothing. Details travel as form
fields from the details page through the review page to "Pay", and are validated again there;
the price is always the server's. Every rule is the services': availability says what is
bookable ("any coach" is bookings.operations'), lifecycle creates the booking. Paying is payment.py.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..availability import services as availability
from ..bookings import lifecycle, operations
from ..core.clock import utcnow
from ..core.errors import Conflict
from ..core.web import run_service
from ..extensions import db
from .forms import ChooseTimeForm, DetailsForm
from ..core.display import viewer_zone_name
from .helpers import clear_draft, get_draft, save_draft
from .month import MonthView
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


@dataclass
class _Pick:
    """What the calendar page is showing: coach (or any), duration and meeting type, from the query
    string, else the draft, else the defaults."""

    coach_choice: str
    coach_ids: list[int]
    durations: list[int]
    duration: int | None
    meetings: list[str]
    meeting: str

    @classmethod
    def read(cls, ctype, coaches, draft: dict) -> "_Pick":
        choice = request.args.get("coach") or str(draft.get("coach_choice") or ANY)
        coach_ids = [c.id for c in coaches]
        if choice != ANY:
            chosen = _int(choice)
            coach_ids = [chosen] if chosen in coach_ids else coach_ids
            choice = str(chosen) if chosen in coach_ids else ANY
        durations = [o.minutes for o in ctype.duration_options]
        duration = _int(request.args.get("duration"), draft.get("duration"))
        duration = duration if duration in durations else (ctype.default_option.minutes if durations else None)
        meetings = _meeting_types(ctype)
        meeting = request.args.get("meeting") or draft.get("meeting_type")
        return cls(choice, coach_ids, durations, duration, meetings, meeting if meeting in meetings else meetings[0])


def _offers(ctype, pick: _Pick, cal: MonthView, now: datetime) -> tuple[dict, list]:
    """The month's free dates (each with its coaches) and the chosen day's times."""
    if not (pick.duration and pick.coach_ids):
        return {}, []
    days = operations.free_dates_by_day(ctype, coach_ids=pick.coach_ids, duration_minutes=pick.duration,
                                        year=cal.year, month=cal.month, viewer_tz=cal.tz, now=now)
    times = [] if cal.chosen_day is None else operations.any_coach_times(
        ctype, duration_minutes=pick.duration, start=cal.chosen_day, end=cal.chosen_day, viewer_tz=cal.tz,
        now=now, coach_ids=pick.coach_ids)
    return days, times


@bp.route("/book/<int:number>")
def book(number: int):
    """Coach, duration, meeting type, a month calendar and the chosen date's times."""
    ctype = active_type(number)
    coaches = active_coaches(ctype)
    draft = get_draft() if (get_draft() or {}).get("type") == number else {}
    tz, now = viewer_zone_name(request.args.get("tz")), utcnow()
    pick, cal = _Pick.read(ctype, coaches, draft), MonthView(tz, now)
    days, times = _offers(ctype, pick, cal, now)
    state = {"coach": pick.coach_choice, "duration": pick.duration, "meeting": pick.meeting, "tz": tz}

    def day_link(day) -> str:
        return url_for(".book", number=number, month=cal.key, date=day.isoformat(), **state)

    return render_template("customer/book.html", ctype=ctype, coaches=coaches, durations=pick.durations,
                           meetings=pick.meetings, state=state, days=days, times=times, zones=_zones(tz),
                           form=ChooseTimeForm(), **cal.context(day_link))


def _zones(current: str) -> list[str]:
    zones = list(COMMON_ZONES)
    if current not in zones:
        zones.insert(0, current)
    return zones


def _chosen_start(form: ChooseTimeForm) -> datetime | None:
    try:
        starts_at = datetime.fromisoformat(form.starts_at.data)
    except ValueError:
        return None
    return starts_at if starts_at.tzinfo is not None else None


@bp.route("/book/<int:number>/time", methods=["POST"])
def choose_time(number: int):
    """Keep the chosen time (after checking it is still bookable) and go on to the details."""
    ctype = active_type(number)
    form = ChooseTimeForm()
    back = redirect(url_for(".book", number=number))
    starts_at = _chosen_start(form) if form.validate_on_submit() else None
    if starts_at is None:
        flash(_("Please choose one of the offered times."), "error")
        return back
    with run_service(show=False, commit=False) as ran:
        offer = availability.check_bookable(coach_id=form.coach_id.data, consultation_type_id=ctype.id,
                                            duration_minutes=form.duration.data, starts_at=starts_at, now=utcnow(),
                                            slot_id=form.slot_id.data)
    if not ran:
        flash(_("That time is no longer available. Please choose another one.") + f" ({ran.error.message})", "error")
        return back
    if form.meeting_type.data not in _meeting_types(ctype):
        flash(_("Choose online or in person."), "error")
        return back
    _keep_choice(number, form, starts_at, offer.slot_id or form.slot_id.data)
    return redirect(url_for(".details"))


def _keep_choice(number: int, form: ChooseTimeForm, starts_at: datetime, slot_id: int | None) -> None:
    save_draft({"type": number, "coach_id": form.coach_id.data, "coach_choice": request.form.get("coach_choice", ANY),
                "duration": form.duration.data, "meeting_type": form.meeting_type.data,
                "starts_at": starts_at.astimezone(timezone.utc).isoformat(), "slot_id": slot_id, "tz": form.tz.data})
    session["timezone"] = form.tz.data


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


def _create(draft: dict, ctype, form: DetailsForm):
    """The booking the wizard describes, for the signed-in customer (and their profile, when asked)."""
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
    return booking


@bp.route("/book/confirm", methods=["POST"])
@login_required
def confirm():
    """"Pay": create the booking on hold (or confirmed, when free) and go to the payment step."""
    made, nonce = session.get("booking_nonces", {}), request.form.get("nonce")
    if nonce and nonce in made:  # a double click on "Pay": the booking it already made
        return redirect(url_for(".pay", number=made[nonce]))
    found, redirect_to = _draft_or_restart()
    if redirect_to:
        return redirect_to
    draft, ctype = found
    form = DetailsForm()
    if form.validate_on_submit():
        with run_service(form, show=False) as ran:
            booking = _create(draft, ctype, form)
        if ran:
            return _created(booking, made, form.nonce.data)
        if isinstance(ran.error, Conflict):
            return _taken(ctype, ran.error)
        ran.show_error()
    return render_template("customer/details.html", form=form, s=_summary(draft, ctype)), 400


def _created(booking, made: dict, nonce: str | None):
    session["booking_nonces"] = {**{k: v for k, v in list(made.items())[-4:]}, nonce: booking.number}
    clear_draft()
    if booking.status != "pending_payment":
        return redirect(url_for(".done", number=booking.number))
    return redirect(url_for(".pay", number=booking.number))


def _taken(ctype, error: Conflict):
    flash(_("Sorry, that time was just taken. Please choose another one."), "error")
    current_app.logger.info("booking refused: %s", error.message)
    return redirect(url_for(".book", number=ctype.number))


def _save_profile(form: DetailsForm) -> None:
    user = current_user
    user.name = form.name.data.strip()
    user.phone = form.phone.data
    user.gender = form.gender.data or user.gender
    user.fitness_level = form.fitness_level.data or user.fitness_level
    user.goals = form.goals.data or user.goals


from . import payment  # noqa: E402,F401  (the payment step's routes, on the same blueprint)
