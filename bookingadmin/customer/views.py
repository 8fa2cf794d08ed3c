"""Customer pages: the home page for now; booking pages build on it."""
from flask import Blueprint, render_template

from ..catalog.models import ConsultationType
from ..extensions import db

bp = Blueprint("customer", __name__)


@bp.route("/")
def index():
    types = db.session.scalars(
        db.select(ConsultationType).where(ConsultationType.is_active).order_by(ConsultationType.number)).all()
    return render_template("customer/index.html", types=types)
