"""The back office on Flask-Admin. Views are configuration plus calls to domain services."""
from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from ..extensions import db
from .base import BackOfficeHome


def init_admin(app: Flask) -> Admin:
    """A fresh Admin per app (views bind to one app), mounted at /admin."""
    from .catalog import CoachProfileView, ConsultationTypeView
    from .users import UserView

    admin = Admin(app, name=app.config["BUSINESS_NAME"], url="/admin",
                  theme=Bootstrap4Theme(base_template="admin/master.html", swatch="flatly", fluid=True),
                  index_view=BackOfficeHome(name="Dashboard", url="/admin"))
    admin.add_view(ConsultationTypeView(db, name="Consultation types", category="Catalog",
                                        endpoint="consultation_types"))
    admin.add_view(CoachProfileView(db, name="Coaches", category="Catalog", endpoint="coaches"))
    admin.add_view(UserView(db, name="Users", endpoint="users"))
    app.extensions["bookingadmin_admin"] = admin
    return admin
