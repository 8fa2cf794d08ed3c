"""CSV for spreadsheets. Every CSV the app serves is written through `csv_writer`, so a text cell
that Excel, LibreOffice or Google Sheets would run as a formula (`=HYPERLINK(...)`, `+cmd|...`,
`@SUM(...)`) is shown as the text it is: it gets a leading apostrophe (OWASP "CSV injection").

Numbers, dates and Decimals are written as they are; only text that starts with one of
FORMULA_STARTS is changed, phone numbers such as +966... included (a spreadsheet then keeps them
as text instead of turning them into a number).
"""
from __future__ import annotations

import csv
from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer's writerow/writerows, with every cell passed through safe_cell."""

    def __init__(self, buffer, **options):
        self._writer = csv.writer(buffer, **options)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(buffer, **options) -> SafeCsvWriter:
    return SafeCsvWriter(buffer, **options)
