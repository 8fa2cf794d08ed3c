from flask import Flask


def init_app(app: Flask) -> None:
    from .commands import expire_holds_command, rotate_encryption_keys_command

    from ..core.periodic import register_periodic
    from .lifecycle import expire_holds

    app.cli.add_command(expire_holds_command)
    app.cli.add_command(rotate_encryption_keys_command)
    register_periodic(app, "expire-holds", expire_holds, every_seconds=60)
