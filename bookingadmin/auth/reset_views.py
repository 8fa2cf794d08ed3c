"""Forgot password: ask for a link by email, then choose a new password on the link's page."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..core.clock import utcnow
from ..core.web import run_service
from .account import check_reset_link, request_password_reset, reset_password
from .account_forms import NewPasswordForm, ResetRequestForm
from .links import BadLink
from .throttle import throttle_reset_request

bp = Blueprint("password", __name__)


@bp.route("/password/reset", methods=["GET", "POST"])
@throttle_reset_request
def request_reset():
    """The same answer for every address, with an account or without."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        with run_service(form) as asked:
            request_password_reset(form.email.data, now=utcnow())
        if asked:
            return render_template("auth/reset_sent.html"), 200
    return render_template("auth/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def choose_password(token: str):
    """A new password from an emailed link; a bad link changes nothing and offers a new one."""
    try:
        check_reset_link(token, now=utcnow())
    except BadLink as refused:
        return render_template("auth/bad_link.html", message=refused.message, again=url_for(".request_reset")), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        with run_service(form) as done:
            reset_password(token, form.password.data, now=utcnow())
        if done:
            flash(_("Your password is changed. Log in with your new password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_choose.html", form=form), 400 if form.errors else 200
