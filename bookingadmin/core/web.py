"""Running a service from a view: commit when it succeeds, roll back and say why when it refuses.

    with run_service(form) as ran:              # an HTML view
        lifecycle.confirm(booking, actor=current_user, now=utcnow())
    if ran:
        return redirect(...)                     # committed
    return render_template(..., form=form)      # rolled back; the reasons are on the form / flashed

    with run_service(fields={"duration_minutes": "duration"}, reraise=True):   # an API handler
        booking = lifecycle.create_booking(...)  # a refusal propagates (renamed) to the JSON answer

One rule for showing a refusal: each of DomainError.fields lands on the form field of that name
(after `fields` renames it); the message is flashed unless a field already shows it.
"""
from __future__ import annotations

import re
from typing import Callable, Mapping

from ..extensions import db
from .errors import DomainError

FieldMap = Mapping[str, str] | Callable[[str], str] | None


def renamed_fields(error: DomainError, fields: FieldMap = None, prefix: str = "") -> dict[str, str]:
    """The error's fields in the caller's words: `intervals[2]` with {"intervals": "weekly_hours"}
    becomes `weekly_hours[2]`; a callable maps each whole name."""
    return {prefix + _renamed(name, fields): message for name, message in error.fields.items()}


def _renamed(name: str, fields: FieldMap) -> str:
    if fields is None:
        return name
    if callable(fields):
        return fields(name)
    match = re.match(r"^(\w+)(.*)$", name)
    if not match:
        return name
    return fields.get(match.group(1), match.group(1)) + match.group(2)


def show_error(error: Exception, form=None, fields: FieldMap = None) -> None:
    """Put the error's fields on the form and flash the message unless a field shows it already."""
    from flask import flash

    shown = set()
    for name, message in (renamed_fields(error, fields) if isinstance(error, DomainError) else {}).items():
        field = _field(form, name)
        if field is not None:
            field.errors = list(field.errors) + [message]
            shown.add(message)
    if error.message not in shown:
        flash(error.message, "error")


def _field(form, name: str):
    if form is None:
        return None
    try:
        return form[name]
    except (KeyError, TypeError):
        return None


class run_service:  # noqa: N801  (used as `with run_service(...)`, like a function)
    """Context manager around one service call: commit on success; on DomainError roll back and
    show it (HTML views), or rename its fields and raise it on (API handlers, `reraise=True`).
    `also` names other refusals with a readable `message` to treat the same (the card gateway's).
    `savepoint=True` runs the call in a savepoint of the caller's transaction (bulk actions: a
    refusal undoes only that call; the caller commits once).

    Truthy after the block when the service succeeded; `error` holds the refusal otherwise.
    """

    def __init__(self, form=None, *, fields: FieldMap = None, prefix: str = "", reraise: bool = False,
                 commit: bool = True, show: bool = True, also: tuple[type[Exception], ...] = (),
                 savepoint: bool = False):
        self.form, self.fields, self.prefix, self.also = form, fields, prefix, also
        self.reraise, self.commit, self.show, self.savepoint = reraise, commit, show, savepoint
        self.error: Exception | None = None
        self._nested = None

    def __enter__(self) -> "run_service":
        if self.savepoint:  # one of several calls in a transaction: a refusal undoes only this one
            self._nested = db.session.begin_nested()
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if kind is None:
            if self._nested is not None:
                self._nested.commit()
            elif self.commit:
                db.session.commit()
            return False
        if self._nested is not None:
            self._nested.rollback()
        if not isinstance(error, (DomainError, *self.also)):
            return False
        if self._nested is None:
            db.session.rollback()
        self.error = error
        if self.reraise:
            if isinstance(error, DomainError):
                error.fields = renamed_fields(error, self.fields, self.prefix)
            return False
        if self.show:
            show_error(error, self.form, self.fields)
        return True

    def show_error(self) -> None:
        """Show the refusal now (for a view that looked at it first, with `show=False`)."""
        if self.error is not None:
            show_error(self.error, self.form, self.fields)

    def __bool__(self) -> bool:
        return self.error is None
