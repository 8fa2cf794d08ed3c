"""Wires the auth domain: sign-in pages, the session check on every request, throttling, CLI."""
from flask import Flask

from ..extensions import login_manager


def init_app(app: Flask) -> None:
    from .policy import register_template_helpers
    from . import throttle
    from .commands import sign_out_everywhere_command
    from .sessions import load_user
    from .views import bp
    from . import account_views, reset_views

    login_manager.user_loader(load_user)
    throttle.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(reset_views.bp)
    app.register_blueprint(account_views.bp)
    register_template_helpers(app)
    app.cli.add_command(sign_out_everywhere_command)
