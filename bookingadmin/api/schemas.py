"""Small explicit input parsers. A Schema reads a JSON body or a query string, collects one message
per bad field, and describes itself as JSON Schema for the OpenAPI document, so what is validated
and what is documented cannot drift apart.

Parsers check shape only (types, formats, lengths, known zone names). Whether a time is bookable,
a duration offered or a transition allowed is the services' business.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any, Mapping

from ..core.validation import MAX_DB_INT, MIN_DB_INT, check_person_name, check_text, is_timezone
from .errors import invalid_input
from .formats import (CLOCK, CLOCK_PATTERN, CURSOR, CURSOR_PATTERN, DAY, DAY_PATTERN, MONTH, MONTH_PATTERN,
                      NAME_PATTERN, ZONE_PATTERN)

_MISSING = object()
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


class Field:
    """One input field. `parse` turns the raw value into a Python value or raises ValueError(message)."""

    json_schema_base: dict = {}

    def __init__(self, *, required: bool = False, default: Any = None, nullable: bool = False,
                 description: str = ""):
        self.required = required
        self.default = default
        self.nullable = nullable
        self.description = description

    def parse(self, raw: Any, *, from_query: bool) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict:
        schema = dict(self.json_schema_base)
        if self.nullable:
            schema["type"] = [schema.get("type", "string"), "null"]
        if self.description:
            schema["description"] = self.description
        if self.default is not None:
            schema["default"] = self.default
        return schema


class Text(Field):
    json_schema_base = {"type": "string"}

    def __init__(self, *, max_length: int = 200, min_length: int = 0, choices: tuple[str, ...] | None = None,
                 strip: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.max_length, self.min_length, self.choices = max_length, min_length, choices
        self.strip = strip  # False for secrets: a password's spaces are part of it

    def parse(self, raw, *, from_query):
        if not isinstance(raw, str):
            raise ValueError("Give this as text")
        value = check_text(raw.strip() if self.strip else raw)
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"Choose one of: {', '.join(self.choices)}")
        if len(value) < self.min_length:
            raise ValueError("This cannot be empty" if self.min_length == 1
                             else f"Use at least {self.min_length} characters")
        if len(value) > self.max_length:
            raise ValueError(f"Use at most {self.max_length} characters")
        return value

    def json_schema(self):
        schema = super().json_schema()
        schema["maxLength"] = self.max_length
        if self.min_length:
            schema["minLength"] = self.min_length
        if self.choices is not None:
            schema["enum"] = list(self.choices)
        return schema


class PersonName(Text):
    """A person's name: one line, no NUL (core.validation.check_person_name, as in every form)."""

    def parse(self, raw, *, from_query):
        value = super().parse(raw, from_query=from_query)
        return check_person_name(value)

    def json_schema(self):
        return {**super().json_schema(), "pattern": NAME_PATTERN}


class Cursor(Text):
    """An opaque paging cursor: only ever a value this API gave out, passed back unchanged."""

    def __init__(self, **kwargs):
        kwargs.setdefault("description", "opaque: the previous page's `next_cursor`, passed back unchanged; "
                                         "its content is not part of the API and may change")
        super().__init__(max_length=200, **kwargs)

    def parse(self, raw, *, from_query):
        if not isinstance(raw, str) or not CURSOR.fullmatch(raw):
            raise ValueError("This cursor is not one this API gave out")
        return raw

    def json_schema(self):
        return {**super().json_schema(), "pattern": CURSOR_PATTERN}


class Integer(Field):
    """A whole number, by default within the database's INTEGER range (ids, minutes, counts)."""

    json_schema_base = {"type": "integer"}

    def __init__(self, *, minimum: int | None = None, maximum: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.minimum = MIN_DB_INT if minimum is None else minimum
        self.maximum = MAX_DB_INT if maximum is None else maximum

    def parse(self, raw, *, from_query):
        if from_query and isinstance(raw, str) and re.fullmatch(r"-?\d{1,12}", raw.strip(), re.ASCII):
            raw = int(raw)
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError("Give a whole number")
        if self.minimum is not None and raw < self.minimum:
            raise ValueError(f"Give a number of at least {self.minimum}")
        if self.maximum is not None and raw > self.maximum:
            raise ValueError(f"Give a number of at most {self.maximum}")
        return raw

    def json_schema(self):
        schema = super().json_schema()
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema


class Boolean(Field):
    json_schema_base = {"type": "boolean"}

    def parse(self, raw, *, from_query):
        if from_query and isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        if not isinstance(raw, bool):
            raise ValueError("Give true or false")
        return raw


class Day(Field):
    """A calendar date, YYYY-MM-DD."""

    json_schema_base = {"type": "string", "format": "date", "pattern": DAY_PATTERN}

    def parse(self, raw, *, from_query):
        try:
            if isinstance(raw, str) and DAY.fullmatch(raw):
                return date.fromisoformat(raw)
        except ValueError:
            pass
        raise ValueError("Give a date as YYYY-MM-DD, for example 2026-03-01")


class Month(Field):
    """A calendar month, YYYY-MM, parsed to (year, month)."""

    json_schema_base = {"type": "string", "pattern": MONTH_PATTERN}

    def parse(self, raw, *, from_query):
        if isinstance(raw, str) and MONTH.fullmatch(raw):
            year, month = raw.split("-")
            return int(year), int(month)
        raise ValueError("Give a month as YYYY-MM, for example 2026-03")


class Instant(Field):
    """An instant: ISO 8601 date and time WITH its UTC offset. Naive times are refused."""

    json_schema_base = {"type": "string", "format": "date-time"}
    message = "Give a date and time with its UTC offset, for example 2026-03-01T09:00:00+03:00"

    def parse(self, raw, *, from_query):
        if not isinstance(raw, str) or "T" not in raw.upper():
            raise ValueError(self.message)
        try:
            value = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(self.message) from None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("This time has no UTC offset; add one, for example +03:00 or Z")
        return value


class DayOrInstant(Field):
    """A date (YYYY-MM-DD, read in the viewer's zone) or an instant with its offset."""

    json_schema_base = {"type": "string", "description": "YYYY-MM-DD or a date-time with offset"}

    def parse(self, raw, *, from_query):
        if isinstance(raw, str) and DAY.fullmatch(raw):
            return Day().parse(raw, from_query=from_query)
        try:
            return Instant().parse(raw, from_query=from_query)
        except ValueError as exc:
            raise ValueError(f"Give a date as YYYY-MM-DD or a date and time with its UTC offset ({exc})") from None


class ClockTime(Field):
    """A wall-clock time, HH:MM (24-hour, 00:00 to 23:59; seconds, if sent, as :SS). An end (`end=True`)
    may also be 24:00: midnight at the end of the day, returned as time(0), which is how the
    availability engine reads an end of 00:00."""

    json_schema_base = {"type": "string", "pattern": CLOCK_PATTERN}

    def __init__(self, *, end: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.end = end
        if end:
            self.json_schema_base = {"type": "string", "pattern": f"^(?:24:00(?::00)?|{CLOCK_PATTERN.strip('^$')})$"}

    def parse(self, raw, *, from_query):
        if self.end and raw in ("24:00", "24:00:00"):
            return time(0)
        try:
            if isinstance(raw, str) and CLOCK.fullmatch(raw):
                return time.fromisoformat(raw)
        except ValueError:
            pass
        raise ValueError("Give a time as HH:MM (24-hour), for example 09:30"
                         + (", or 24:00 for midnight at the end of the day" if self.end else ""))


class TimeZone(Field):
    json_schema_base = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": ZONE_PATTERN,
                        "description": "an IANA zone name such as Asia/Riyadh"}

    def parse(self, raw, *, from_query):
        if not isinstance(raw, str) or not is_timezone(raw):
            raise ValueError("Give an IANA time zone name such as Asia/Riyadh or Europe/London")
        return raw


class Choices(Field):
    """A comma-separated set from a fixed list (query strings: `status=confirmed,rescheduled`)."""

    def __init__(self, choices: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def parse(self, raw, *, from_query):
        items = [p.strip() for p in raw.split(",")] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not items or not all(isinstance(i, str) and i for i in items):
            raise ValueError(f"Give one or more of: {', '.join(self.choices)}")
        unknown = [i for i in items if i not in self.choices]
        if unknown:
            raise ValueError(f"Unknown value(s) {', '.join(unknown)}; use: {', '.join(self.choices)}")
        return tuple(dict.fromkeys(items))

    def json_schema(self):
        schema = super().json_schema()
        schema.update(type="string", description=(self.description + "; " if self.description else "")
                      + "comma-separated: " + ", ".join(self.choices))
        return schema


class JsonObject(Field):
    """Free-form named answers (intake questionnaires): an object of at most `max_keys` keys."""

    json_schema_base = {"type": "object"}

    def __init__(self, *, max_keys: int = 50, **kwargs):
        super().__init__(**kwargs)
        self.max_keys = max_keys

    def parse(self, raw, *, from_query):
        if not isinstance(raw, Mapping):
            raise ValueError("Give an object of named answers")
        if len(raw) > self.max_keys:
            raise ValueError(f"Give at most {self.max_keys} answers")
        return dict(raw)


class ListOf(Field):
    def __init__(self, item: Field, *, max_items: int = 100, **kwargs):
        super().__init__(**kwargs)
        self.item, self.max_items = item, max_items

    def parse(self, raw, *, from_query):
        if not isinstance(raw, list):
            raise ValueError("Give a list")
        if len(raw) > self.max_items:
            raise ValueError(f"Give at most {self.max_items} items")
        return raw  # items are parsed by Schema.load, which names each failing item

    def json_schema(self):
        schema = super().json_schema()
        schema.update(type=["array", "null"] if self.nullable else "array", items=self.item.json_schema(),
                      maxItems=self.max_items)
        return schema


class Nested(Field):
    def __init__(self, schema: "Schema", **kwargs):
        super().__init__(**kwargs)
        self.schema = schema

    def parse(self, raw, *, from_query):
        if not isinstance(raw, Mapping):
            raise ValueError("Give an object")
        return raw  # fields are parsed by Schema.load

    def json_schema(self):
        return {"$ref": f"#/components/schemas/{self.schema.name}"}


class Schema:
    """A named set of fields. `load` returns {name: value} with defaults, or raises a 400 naming
    every bad field ("weekly_hours[2].start_time" for nested ones)."""

    def __init__(self, name: str, fields: dict[str, Field], *, description: str = "",
                 allow_unknown: bool = False, partial: bool = False):
        self.name, self.fields, self.description = name, fields, description
        self.allow_unknown = allow_unknown
        self.partial = partial  # PATCH: absent fields are left out of the result (not defaulted)

    def load(self, data: Any, *, from_query: bool = False) -> dict:
        errors: dict[str, str] = {}
        value = self._load(data, "", errors, from_query)
        if errors:
            raise invalid_input(errors)
        return value

    def _load(self, data: Any, prefix: str, errors: dict, from_query: bool) -> dict:
        if not isinstance(data, Mapping):
            errors[prefix.rstrip(".") or "body"] = "Send a JSON object"
            return {}
        result: dict[str, Any] = {}
        if not (self.allow_unknown or from_query):
            for key in data:
                if key not in self.fields:
                    errors[f"{prefix}{key}"] = "Unknown field"
        for name, field in self.fields.items():
            raw = data.get(name, _MISSING)
            if from_query and raw == "":
                raw = _MISSING
            if raw is None and not field.nullable and not from_query:
                errors[f"{prefix}{name}"] = "Give a value; null is not allowed here"
                continue
            if raw is _MISSING:
                if field.required:
                    errors[f"{prefix}{name}"] = "This field is required"
                if raw is _MISSING and self.partial:
                    continue
                result[name] = field.default
                continue
            if raw is None:
                result[name] = None
                continue
            result[name] = _parse_field(field, raw, f"{prefix}{name}", errors, from_query)
        return result

    def json_schema(self) -> dict:
        schema = {"type": "object", "properties": {n: f.json_schema() for n, f in self.fields.items()},
                  "additionalProperties": self.allow_unknown}
        required = [n for n, f in self.fields.items() if f.required]
        if required:
            schema["required"] = required
        if self.description:
            schema["description"] = self.description
        return schema

    def nested_schemas(self) -> list["Schema"]:
        """Schemas referenced from this one (for components/schemas), depth first."""
        found: list[Schema] = []
        for field in self.fields.values():
            inner = field.item if isinstance(field, ListOf) else field
            if isinstance(inner, Nested):
                found += [inner.schema, *inner.schema.nested_schemas()]
        return found

    def query_parameters(self) -> list[dict]:
        return [{"name": n, "in": "query", "required": f.required, "schema": f.json_schema(),
                 **({"description": f.description} if f.description else {})}
                for n, f in self.fields.items()]


def _parse_field(field: Field, raw: Any, path: str, errors: dict, from_query: bool) -> Any:
    try:
        value = field.parse(raw, from_query=from_query)
    except ValueError as exc:
        errors[path] = str(exc)
        return None
    if isinstance(field, Nested):
        return field.schema._load(value, f"{path}.", errors, from_query)
    if isinstance(field, ListOf):
        return [_parse_field(field.item, item, f"{path}[{i}]", errors, from_query) for i, item in enumerate(value)]
    return value

