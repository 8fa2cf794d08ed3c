from flask import Flask


def init_app(app: Flask) -> None:
    """Mounted last, so every domain's views registered with add_admin_views are added."""
    from . import init_admin

    init_admin(app)
