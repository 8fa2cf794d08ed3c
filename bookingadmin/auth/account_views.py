"""The account page: profile and preferences, password, email address, signing out everywhere.

Each form posts to its own address and, when refused, the page is shown again with that form's
messages on its fields (the other forms as they were).
"""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from zoneinfo import available_timezones

from ..core.clock import utcnow
from ..core.web import run_service
from ..extensions import db
from .account import change_password, confirm_email_change, request_email_change, update_profile
from .account_forms import ConfirmForm, EmailChangeForm, PasswordChangeForm, ProfileForm
from .links import BadLink
from .services import sign_out_everywhere
from .sessions import end_session, start_session

bp = Blueprint("account", __name__)


def _me():
    return current_user._get_current_object()


def _page(status: int = 200, **forms):
    forms.setdefault("profile", ProfileForm(obj=_me(), formdata=None))
    forms.setdefault("password", PasswordChangeForm(formdata=None))
    forms.setdefault("email", EmailChangeForm(formdata=None))
    return render_template("auth/account.html", zones=sorted(available_timezones()), **forms), status


@bp.route("/account")
@login_required
def show():
    return _page()


@bp.route("/account", methods=["POST"])
@login_required
def save_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        with run_service(form) as saved:
            update_profile(_me(), name=form.name.data, phone=form.phone.data, language=form.language.data,
                           timezone=form.timezone.data, email_reminders=form.email_reminders.data, now=utcnow())
        if saved:
            flash(_("Your details are saved."), "success")
            return redirect(url_for(".show"))
    return _page(400, profile=form)


@bp.route("/account/password", methods=["POST"])
@login_required
def change_my_password():
    """Every other session ends; this one goes on, started afresh on the new session version."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        with run_service(form) as changed:
            change_password(_me(), form.current_password.data, form.new_password.data, now=utcnow())
        if changed:
            start_session(_me(), utcnow())
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for(".show"))
    return _page(400, password=form)


@bp.route("/account/email", methods=["POST"])
@login_required
def change_my_email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        with run_service(form) as asked:
            new_email = request_email_change(_me(), form.email.data, now=utcnow())
        if asked:
            flash(_("We sent a link to %(email)s. Your address changes when you open it.", email=new_email), "info")
            return redirect(url_for(".show"))
    return _page(400, email=form)


@bp.route("/account/email/<token>")
def confirm_email(token: str):
    """The link sent to the new address; it works without signing in (it proves the mailbox)."""
    try:
        confirm_email_change(token, now=utcnow())
    except BadLink as refused:
        db.session.rollback()
        return render_template("auth/bad_link.html", message=refused.message, again=url_for(".show")), 400
    db.session.commit()
    flash(_("Your email address is changed."), "success")
    return redirect(url_for(".show") if current_user.is_authenticated else url_for("auth.login"))


@bp.route("/account/sign-out-everywhere", methods=["GET", "POST"])
@login_required
def sign_out_all():
    """Asks first; then every session of the account ends, this one too."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("auth/sign_out_everywhere.html", form=form)
    sign_out_everywhere(_me(), now=utcnow())
    db.session.commit()
    end_session()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("auth.login"))
