"""bookingadmin: sell and run paid consultations. `create_app()` builds the Flask app."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template

from config import load_config

from .extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | dict | None = None) -> Flask:
    """The app for an environment name (development, testing, production) or a dict of overrides.

    A dict may carry ENV_NAME to pick the base environment; its other keys override settings.
    """
    overrides = dict(config) if isinstance(config, dict) else {}
    env_name = config if isinstance(config, str) else overrides.pop("ENV_NAME", None)
    settings = load_config(env_name)
    settings.update(overrides)

    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=settings["INSTANCE_DIR"],
                static_folder="static")
    app.config.from_mapping(settings)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _init_extensions(app)
    _register_error_pages(app)
    from .core import headers

    headers.init_app(app)
    _install_input_guards(app)
    from .cli import register_cli
    from .core import outbox
    from .domains import init_domains

    register_cli(app)
    outbox.init_app(app)  # plumbing every domain uses, not a domain
    init_domains(app)
    return app


def _init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every table known before migrations or queries)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    from .core.i18n import select_language

    babel.init_app(app, locale_selector=select_language)
    from .core import display

    display.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    from flask_babel import gettext

    login_manager.localize_callback = gettext  # the flashed "please log in" is translated when made
    if app.config.get("TRUSTED_PROXY_COUNT"):  # the client's address and scheme as the proxy saw them
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)


def _register_error_pages(app: Flask) -> None:
    for status in (400, 403, 404, 405, 500):
        app.register_error_handler(status, _error_page(status))


def _install_input_guards(app: Flask) -> None:
    from .core import badinput, dberrors

    badinput.install(app)  # before any URL rule: the bounded `int` converter is bound per rule
    dberrors.install()  # database errors are logged without the values (with hide_parameters)


def _error_page(status: int):
    def handler(error):
        return render_template("errors/error.html", status=status, error=error), status

    return handler
