"""Keyset ("seek") pagination for Flask-Admin lists over big tables.

Flask-Admin pages with OFFSET and counts every row for the page numbers: both grow with the
table. Here a page is "the next N rows after this (sort value, id)" and the pager shows
Previous / Next; the count is capped ("1,000+") so it reads at most CAP rows. Sorting is limited
to the columns listed in `keyset_columns` (each backed by an index); `id` breaks ties.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from flask import request
from sqlalchemy import and_, func, or_, select
from sqlalchemy.types import TypeDecorator

from .cache import request_cache

CURSOR_ARGS = ("after", "before")
COUNT_CAP = 1000


@dataclass
class Pager:
    previous_url: str | None
    next_url: str | None
    count_text: str


def encode_cursor(value, row_id: int) -> str:
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else value, row_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str | None, column) -> tuple | None:
    """(value, id) from a cursor token, or None when it is missing or not one of ours."""
    if not token:
        return None
    try:
        value, row_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        kind = column.type
        python_type = (kind.impl_instance if isinstance(kind, TypeDecorator) else kind).python_type
        if python_type is datetime:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                return None
        elif not isinstance(value, python_type):
            value = python_type(value)
        return value, int(row_id)
    except (ValueError, TypeError, NotImplementedError, json.JSONDecodeError, UnicodeDecodeError):
        return None


class KeysetListMixin:
    """Mix into a SecuredModelView before ModelView. Configure:

    keyset_columns = {"starts_at": Booking.starts_at, "number": Booking.number}
    column_default_sort = ("starts_at", True)
    """

    simple_list_pager = True  # Flask-Admin runs no count(*)
    keyset_columns: dict = {}
    list_template = "admin/keyset_list.html"

    def keyset_pager(self) -> Pager | None:
        return request_cache().get("keyset_pager")

    @property
    def column_sortable_list(self):
        return tuple(self.keyset_columns)

    def _get_list_extra_args(self):
        view_args = super()._get_list_extra_args()
        for name in CURSOR_ARGS:
            view_args.extra_args.pop(name, None)  # sort and filter links start from the first page
        return view_args

    def _keyset_order(self, sort_column, sort_desc):
        if sort_column not in self.keyset_columns:
            sort_column, sort_desc = self.column_default_sort
        return sort_column, self.keyset_columns[sort_column], bool(sort_desc)

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        """Filtered and searched by Flask-Admin; ordered, cut and paged here."""
        _, query = super().get_list(None, sort_column, sort_desc, search, filters, execute=False, page_size=0)
        query = query.order_by(None)
        size = page_size or self.page_size
        name, column, desc = self._keyset_order(sort_column, sort_desc)
        id_column = self.model.id
        after = decode_cursor(request.args.get("after"), column)
        before = None if after else decode_cursor(request.args.get("before"), column)
        cursor, backwards = (before, True) if before else (after, False)
        if cursor:
            query = query.filter(_seek(column, id_column, cursor, less_than=(desc != backwards)))
        reverse = desc != backwards
        ordering = (column.desc(), id_column.desc()) if reverse else (column.asc(), id_column.asc())
        if not execute:
            return None, query.order_by(*ordering)
        rows = query.order_by(*ordering).limit(size + 1).all()
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        request_cache()["keyset_pager"] = self._pager(name, rows, more, cursor, backwards, query)
        return None, rows

    def _pager(self, name, rows, more, cursor, backwards, query) -> Pager:
        has_previous = more if backwards else cursor is not None
        has_next = True if backwards else more
        previous_url = next_url = None
        if rows and has_previous:
            previous_url = self._cursor_url("before", getattr(rows[0], name), rows[0].id)
        if rows and has_next:
            next_url = self._cursor_url("after", getattr(rows[-1], name), rows[-1].id)
        if cursor is None:
            count_text = self._capped_count(query)
        else:
            count_text = ""
        return Pager(previous_url, next_url, count_text)

    def _cursor_url(self, direction: str, value, row_id: int) -> str:
        args = request.args.to_dict()
        for name in CURSOR_ARGS + ("page",):
            args.pop(name, None)
        args[direction] = encode_cursor(value, row_id)
        return self.get_url(".index_view", **args)

    def _capped_count(self, query) -> str:
        """Exact up to COUNT_CAP, then "1,000+": reads at most COUNT_CAP + 1 rows."""
        limited = query.with_entities(self.model.id).limit(COUNT_CAP + 1).subquery()
        count = query.session.scalar(select(func.count()).select_from(limited))
        return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"


def _seek(column, id_column, cursor, *, less_than: bool):
    """Rows whose (column, id) is below (or above) the cursor's, written so an index on `column` serves it."""
    value, row_id = cursor
    if less_than:
        return and_(column <= value, or_(column < value, id_column < row_id))
    return and_(column >= value, or_(column > value, id_column > row_id))
