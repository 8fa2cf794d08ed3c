"""Bad input is a 400 (or a 404), never a 500: one set of guards for every page and API route.

- `int` in a URL rule only matches numbers the database can hold (0 .. 2**31-1); a larger one is
  a 404 like any unknown address.
- A NUL character anywhere in the path, the query string or a form is a 400 naming the field
  (PostgreSQL cannot store NUL in text, and no person types one).
- Whatever still reaches the database and is refused there as data (a number out of range, text
  it cannot store), or overflows (OverflowError), is rolled back and answered 400. This is the
  fallback for inputs no form checks, not the place for rules.

The 400s go through the app's error handlers, so the API answers its JSON error format and the
pages their error page, both with the message.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app, request
from flask_babel import gettext
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from .validation import MAX_DB_INT, has_nul

log = logging.getLogger(__name__)


def digits_up_to(limit: int) -> str:
    """A regex for the decimal numbers 0..limit (leading zeros allowed), so that routing itself
    refuses a larger one: a 404, not a 405 from a sibling rule with another method."""
    digits = str(limit)
    options = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - i - 1
            options.append(digits[:i] + f"[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that matches only numbers the database's INTEGER can hold; others are a 404."""

    regex = digits_up_to(MAX_DB_INT)

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's signature)
        kwargs.setdefault("max", MAX_DB_INT)
        super().__init__(map, *args, **kwargs)


class BadInput(BadRequest):
    """A 400 with a message a person can read; `fields` names the bad field (the API shows it)."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(description=message)
        self.fields = fields or {}


def _printable(name: str) -> str:
    return name.replace("\x00", "\\0")[:60]


def refuse_nul_bytes() -> None:
    """before_request: a NUL in the path, a query parameter or a form field is a 400."""
    if has_nul(request.path):
        raise BadInput(gettext("The address contains a NUL character, which is not allowed"))
    for source in (request.args, request.form):
        for name, values in source.lists():
            if has_nul(name) or any(has_nul(value) for value in values):
                field = _printable(name)
                message = gettext("The field %(field)s contains a NUL character, which is not allowed; "
                                  "remove it", field=field)
                raise BadInput(message, {field: message})


def _database_refused(error: Exception):
    from ..extensions import db

    db.session.rollback()
    cause = type(getattr(error, "orig", None) or error).__name__
    log.warning("the database refused the input of %s %s (%s)", request.method, request.path, cause)
    message = gettext("A value in the request is out of range or cannot be stored; check the numbers and text sent")
    return current_app.handle_http_exception(BadInput(message))


def install(app: Flask) -> None:
    """Call before any URL rule is added (the converter is bound when a rule is)."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_nul_bytes)
    app.register_error_handler(DataError, _database_refused)
    # SQLite's driver (and date arithmetic) raise OverflowError for numbers no input should carry.
    app.register_error_handler(OverflowError, _database_refused)
