from flask import Flask


def init_app(app: Flask) -> None:
    from .commands import expire_holds_command, rotate_encryption_keys_command

    from ..core.periodic import register_periodic
    from . import held_time
    from .lifecycle import expire_holds

    held_time.init_app(app)  # availability reads the time bookings hold through this source
    app.cli.add_command(expire_holds_command)
    app.cli.add_command(rotate_encryption_keys_command)
    register_periodic(app, "expire-holds", expire_holds, every_seconds=60)
