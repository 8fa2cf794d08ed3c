from flask import Flask


def init_app(app: Flask) -> None:
    from ..admin import add_admin_views
    from .admin import register_admin_views
    from .services import receipts_for_booking
    from .views import bp

    app.register_blueprint(bp)
    add_admin_views(app, register_admin_views)
    app.add_template_global(lambda booking: receipts_for_booking(booking.id) if booking is not None else [],
                            "booking_receipts")
