"""Booking numbers: CB-YYYYMMDD-XXXX, readable over the phone and unique under concurrent creation.

The date is the day the booking was made, on the business's clock (DEFAULT_TIMEZONE). The last
part is four random characters from an alphabet without look-alikes (no 0/O, 1/I/L): about a
million numbers a day. Uniqueness is the database's job (a unique constraint on bookings.number);
lifecycle inserts inside a SAVEPOINT and draws again when that constraint says no.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 4
PATTERN = re.compile(r"^CB-\d{8}-[A-Z0-9]{4}$")


def random_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_booking_number(now: datetime, business_timezone: str = "UTC") -> str:
    """A fresh candidate number for a booking made at `now` (aware)."""
    day = now.astimezone(ZoneInfo(business_timezone)).strftime("%Y%m%d")
    return f"CB-{day}-{random_code()}"


def is_booking_number(text: str | None) -> bool:
    return bool(text) and PATTERN.match(text) is not None
