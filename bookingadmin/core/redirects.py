"""Where a `next` parameter may send the browser: only to a path on this site.

Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so `/\t/evil.example`
and `/\\evil.example` both mean `//evil.example`, another site. The check runs on what the browser
will see, not on the raw text.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from werkzeug.exceptions import BadRequest

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None. CR or LF in it is a 400 (header injection)."""
    if not target:
        return None
    if "\r" in target or "\n" in target:
        raise BadRequest("The next address may not contain line breaks.")
    cleaned = _CONTROL.sub("", target).strip().replace("\\", "/")
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return cleaned
