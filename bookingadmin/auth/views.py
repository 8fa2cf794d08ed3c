"""Login, logout and customer registration."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from zoneinfo import available_timezones

from ..core.clock import utcnow
from ..core.redirects import safe_next
from ..core.web import run_service
from ..extensions import db
from .forms import LoginForm, RegistrationForm
from .permissions import has_permission
from .services import authenticate, register_customer, sign_out_everywhere
from .sessions import end_session, start_session
from .throttle import throttle_registration, throttle_sign_in

bp = Blueprint("auth", __name__)


def _landing_for(user) -> str:
    """Staff land in the back office, customers on their bookings."""
    if has_permission(user, "backoffice.access"):
        return url_for("admin.index")
    return url_for("customer.index")


@bp.route("/login", methods=["GET", "POST"])
@throttle_sign_in
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(_landing_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        with run_service(form) as signed_in:
            user = authenticate(form.email.data, form.password.data, utcnow())
        if signed_in:
            start_session(user, utcnow())
            return redirect(next_url or _landing_for(user))
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.route("/register", methods=["GET", "POST"])
@throttle_registration
def register():
    """The same answer whether the address is new or taken: the mailbox tells its owner which it was."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(_landing_for(current_user))
    form = RegistrationForm()
    if form.validate_on_submit():
        with run_service(form) as registered:
            register_customer(email=form.email.data, name=form.name.data, password=form.password.data,
                              phone=form.phone.data, language=form.language.data,
                              timezone=form.timezone.data, now=utcnow())
        if registered:
            flash(_("Thank you. We have sent a message to the address you gave. "
                    "Log in with your email and password to continue."), "success")
            return redirect(url_for(".login", next=next_url))
    status = 400 if form.errors else 200
    zones = sorted(available_timezones())
    return render_template("auth/register.html", form=form, zones=zones, next_url=next_url), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Ends this account's sessions everywhere: a copy of the cookie taken before stops working too."""
    sign_out_everywhere(current_user._get_current_object(), now=utcnow())
    db.session.commit()
    end_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
