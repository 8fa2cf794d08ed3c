from flask import Flask


def init_app(app: Flask) -> None:
    from ..admin import add_admin_views
    from . import jobs  # noqa: F401  (registers the "receipts.render" outbox kind)
    from .admin import register_admin_views
    from ..notifications.attachments import register_receipts
    from .pdf import pdfs_in_jobs, receipts_enabled
    from .services import current_pdf, issue_receipt_for_booking, receipts_for_booking
    from .views import bp

    app.register_blueprint(bp)
    add_admin_views(app, register_admin_views)
    app.add_template_global(lambda booking: receipts_for_booking(booking.id) if booking is not None else [],
                            "booking_receipts")
    app.add_template_global(receipts_enabled, "receipts_enabled")
    # "payment received" emails carry the PDF, unless PDF receipts are off (or deferred in tests)
    register_receipts(issue=issue_receipt_for_booking,
                      pdf=lambda receipt: current_pdf(receipt) if pdfs_in_jobs() else None)
    _connect_payment_signals(app)


def _connect_payment_signals(app: Flask) -> None:
    """Receipts per payment and credit lines per refund, when the payments domain is installed."""
    import importlib.util

    if importlib.util.find_spec("bookingadmin.payments.signals") is None:
        return  # no payments domain: receipts come from the booking's "paid" event (notifications/receivers.py)
    from ..payments.signals import payment_recorded, refund_issued
    from .receivers import on_payment_recorded, on_refund_issued

    payment_recorded.connect(on_payment_recorded, sender=app, weak=False)
    refund_issued.connect(on_refund_issued, sender=app, weak=False)
