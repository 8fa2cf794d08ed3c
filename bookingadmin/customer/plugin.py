"""The customer booking pages (not `site`: that name shadows Python's own module)."""
from __future__ import annotations

from flask import Flask
from flask_babel import get_locale, refresh


def init_app(app: Flask) -> None:
    from ..auth.sessions import keep_across_sign_in
    from . import helpers
    from .catalog_pages import bp

    keep_across_sign_in(helpers.DRAFT_KEY, "timezone")  # "log in to continue your booking" continues it

    app.register_blueprint(bp)

    @app.before_request
    def fresh_locale():
        # Flask-Babel caches the locale on the app context, which outlives a request when one
        # was pushed around it (tests, CLI): decide again for every request.
        refresh()

    @app.context_processor
    def page_context():
        language = str(get_locale() or "en")
        return {"page_language": language, "text_dir": "rtl" if language == "ar" else "ltr",
                "stripe_test_mode": _stripe_test_mode(app)}


def _stripe_test_mode(app: Flask) -> bool:
    key = app.config.get("STRIPE_SECRET_KEY") or ""
    return bool(key) and (key.startswith("sk_test") or bool(app.config.get("STRIPE_API_BASE")))
