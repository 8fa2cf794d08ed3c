"""The back office on Flask-Admin. Views are configuration plus calls to domain services.

Other domains add their views with `add_admin_views(app, factory)` from their plugin.py; the
factory receives the Admin instance and is called when the back office is mounted.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from ..core.headers import csp_nonce
from ..extensions import db


def add_admin_views(app: Flask, factory: Callable[[Admin], None]) -> None:
    app.extensions.setdefault("bookingadmin_admin_views", []).append(factory)


def init_admin(app: Flask) -> Admin:
    """A fresh Admin per app (views bind to one app), mounted at /admin."""
    from .analytics import AnalyticsView
    from .audit import AuditLogView
    from .bookings import BookingView
    from .calendar import CalendarView
    from .catalog import CoachProfileView, ConsultationTypeView
    from .customers import CustomerView
    from .dashboard import BackOfficeHome
    from .users import UserView

    admin = Admin(app, name=app.config["BUSINESS_NAME"], url="/admin",
                  theme=Bootstrap4Theme(base_template="admin/master.html", swatch="flatly", fluid=True),
                  index_view=BackOfficeHome(name="Dashboard", url="/admin"), csp_nonce_generator=csp_nonce)
    admin.add_view(BookingView(db, name="Bookings", endpoint="bookings"))
    admin.add_view(CalendarView(name="Calendar", endpoint="calendar"))
    _add_availability(admin)
    admin.add_view(CustomerView(db, name="Customers", endpoint="customers"))
    admin.add_view(AuditLogView(db, name="Audit log", endpoint="audit"))
    admin.add_view(AnalyticsView(name="Analytics", endpoint="analytics"))
    for factory in app.extensions.get("bookingadmin_admin_views", []):
        factory(admin)
    admin.add_view(ConsultationTypeView(db, name="Consultation types", category="Catalog",
                                        endpoint="consultation_types"))
    admin.add_view(CoachProfileView(db, name="Coaches", category="Catalog", endpoint="coaches"))
    admin.add_view(UserView(db, name="Users", endpoint="users"))
    app.extensions["bookingadmin_admin"] = admin
    return admin


def _add_availability(admin: Admin) -> None:
    try:
        from .availability import AvailabilityView
    except ImportError:  # needs bookingadmin.availability.services
        return
    admin.add_view(AvailabilityView(name="Availability", endpoint="availability"))
