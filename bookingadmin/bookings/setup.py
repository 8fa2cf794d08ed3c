from flask import Flask


def init_app(app: Flask) -> None:
    from .commands import expire_holds_command, rotate_encryption_keys_command

    app.cli.add_command(expire_holds_command)
    app.cli.add_command(rotate_encryption_keys_command)
