"""The text formats the API reads. Each pattern is both what the server checks (schemas.py) and
what the OpenAPI document states, so the document is exactly as strict as the server: ASCII
digits only (as in JSON Schema), no surrounding spaces, real months and clock times."""
from __future__ import annotations

import re

DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
MONTH_PATTERN = r"^(?!0000)\d{4}-(0[1-9]|1[0-2])$"
CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
ZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$"
CURSOR_PATTERN = r"^[A-Za-z0-9_\-]{1,200}$"
# What core.validation.check_person_name refuses: NUL and line breaks (JSON Schema's \u escapes).
NAME_PATTERN = "^[^\\u0000\\r\\n\\u000b\\u000c\\u0085\\u2028\\u2029]*$"

DAY, MONTH, CLOCK, CURSOR = (re.compile(p, re.ASCII) for p in (DAY_PATTERN, MONTH_PATTERN, CLOCK_PATTERN,
                                                                CURSOR_PATTERN))
