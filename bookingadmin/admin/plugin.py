from flask import Flask

from ..core.money import format_money
from .zones import format_local


def init_app(app: Flask) -> None:
    """Mounted last, so every domain's views registered with add_admin_views are added."""
    from . import init_admin

    app.jinja_env.filters.setdefault("local", format_local)
    app.jinja_env.filters.setdefault("money", format_money)
    init_admin(app)
