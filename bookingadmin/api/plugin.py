"""Registers the API: the /api/v1 blueprint (its own authentication and CSRF rule), JSON errors,
and `flask revoke-api-tokens`."""
from flask import Flask

from ..extensions import csrf


def init_app(app: Flask) -> None:
    from . import errors, views  # noqa: F401  (importing views registers the routes on bp)
    from .commands import revoke_api_tokens_command
    from .routing import bp

    app.register_blueprint(bp)
    csrf.exempt(bp)  # security.check_csrf checks cookie sessions itself; Bearer requests need no token
    errors.install(app)
    app.cli.add_command(revoke_api_tokens_command)
