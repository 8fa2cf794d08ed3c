"""Database errors keep the values out of the log.

`hide_parameters` (config.py) keeps SQLAlchemy from printing a failed statement's parameters, but
PostgreSQL repeats values itself in the error's DETAIL ("Key (email)=(ann@example.com) already
exists", "Failing row contains (..., +9665..., scrypt:...)"). This listener cuts every error down
to its primary message before anything can log it; the constraint name stays, and code that needs
more reads `error.orig.diag`, which is untouched.
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

_installed = False


def _primary(error: BaseException) -> str | None:
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if primary:
        return primary
    text = str(error.args[0]) if error.args else ""
    return text.split("\n", 1)[0] if "\n" in text else None


def _without_values(context) -> None:
    original, wrapped = context.original_exception, context.sqlalchemy_exception
    primary = _primary(original)
    if primary is None:
        return
    original.args = (primary,)
    if wrapped is not None and wrapped.args:
        kind = type(original)
        wrapped.args = (f"({kind.__module__}.{kind.__name__}) {primary}",) + tuple(wrapped.args[1:])


def install() -> None:
    """For every engine of the process (the app's, the worker's, the tests')."""
    global _installed
    if not _installed:
        event.listen(Engine, "handle_error", _without_values)
        _installed = True
