"""Customer pages: the catalog, a consultation type's page, and the language switch.

The booking wizard lives in booking.py, the customer's own bookings in mine.py; all three share
the `customer` blueprint.
"""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..catalog.models import CATEGORIES, CoachProfile, ConsultationType
from ..core.i18n import LANGUAGES
from ..core.redirects import safe_next
from ..extensions import db

bp = Blueprint("customer", __name__)


@bp.route("/")
def index():
    category = request.args.get("category") or None
    query = db.select(ConsultationType).where(ConsultationType.is_active).order_by(ConsultationType.number)
    if category in CATEGORIES:
        query = query.where(ConsultationType.category == category)
    else:
        category = None
    types = db.session.scalars(query).all()
    return render_template("customer/index.html", types=types, categories=CATEGORIES, category=category)


def active_type(number: int) -> ConsultationType:
    ctype = db.session.scalar(db.select(ConsultationType).where(
        ConsultationType.number == number, ConsultationType.is_active))
    if ctype is None:
        abort(404)
    return ctype


def active_coaches(ctype: ConsultationType) -> list[CoachProfile]:
    from ..bookings.operations import bookable_coaches

    return bookable_coaches(ctype)


@bp.route("/consultations/<int:number>")
def consultation(number: int):
    ctype = active_type(number)
    return render_template("customer/type.html", ctype=ctype, coaches=active_coaches(ctype))


@bp.route("/language/<code>")
def switch_language(code: str):
    """Switch the page language; remembered in the session and, when signed in, on the account."""
    if code not in LANGUAGES:
        abort(404)
    target = safe_next(request.args.get("next"))
    session["language"] = code
    if current_user.is_authenticated and current_user.language != code:
        current_user.language = code
        db.session.commit()
    return redirect(target or url_for(".index"))


from . import booking, mine  # noqa: E402,F401  (routes on the same blueprint)
