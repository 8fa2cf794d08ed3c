from flask import Flask


def init_app(app: Flask) -> None:
    from .policy import register_template_helpers
    from .views import bp

    app.register_blueprint(bp)
    register_template_helpers(app)
