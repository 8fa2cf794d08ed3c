"""Login, logout and customer registration."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from zoneinfo import available_timezones

from ..core.clock import utcnow
from ..core.web import run_service
from .forms import LoginForm, RegistrationForm
from .permissions import has_permission
from .services import authenticate, create_user

bp = Blueprint("auth", __name__)


def _landing_for(user) -> str:
    """Staff land in the back office, customers on their bookings."""
    if has_permission(user, "backoffice.access"):
        return url_for("admin.index")
    return url_for("customer.index")


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after login (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_landing_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        with run_service(form) as signed_in:
            user = authenticate(form.email.data, form.password.data, utcnow())
        if signed_in:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or _landing_for(user))
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(_landing_for(current_user))
    form = RegistrationForm()
    if form.validate_on_submit():
        with run_service(form) as registered:
            user = create_user(email=form.email.data, name=form.name.data, password=form.password.data,
                               phone=form.phone.data, language=form.language.data,
                               timezone=form.timezone.data, role="customer")
        if registered:
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(_safe_next(request.args.get("next")) or _landing_for(user))
    status = 400 if form.errors else 200
    zones = sorted(available_timezones())
    return render_template("auth/register.html", form=form, zones=zones), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
