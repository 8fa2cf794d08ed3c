"""How a time, an amount, a status or a name is shown: one home for pages, emails and PDFs.

Which zone (one precedence, `choose_zone`):
  1. an explicit choice: the zone picked on a page (`?tz=`, then remembered in the session), or the
     zone a sender froze for a reader who is not here (an outbox row's recipient zone, a receipt's
     snapshot zone);
  2. the signed-in user's own zone (their account);
  3. the zone of the booking or customer the page is about (the zone the customer booked in);
  4. the business default (`DEFAULT_TIMEZONE`).
Emails and receipts are read later by someone who is not signed in here, so whoever writes the row
decides their zone with the same precedence (their account, else the booking's) and freezes it.

Which language: the page's (flask-babel's `get_locale()`), or the one a caller passes for a reader
who is not here (emails, receipts: rendered under `force_locale(language)`).

Every instant shown to a person goes through `format_instant`; the API keeps ISO 8601
(`api/render.instant`). Money is written by `core/money.format_money`. Status, payment, meeting and
payment-method words come from the Babel catalog through the `*_label` functions below.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.dates import format_time as babel_time
from babel.dates import get_timezone_name
from flask import Flask, current_app, has_request_context, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .money import format_money
from .validation import is_timezone

SESSION_ZONE = "timezone"


def choose_zone(explicit: str | None = None, user_zone: str | None = None, booking_zone: str | None = None,
                default: str | None = None) -> str:
    """The first valid zone in precedence order (see the module docstring)."""
    for zone in (explicit, user_zone, booking_zone):
        if is_timezone(zone):
            return zone
    return default or current_app.config.get("DEFAULT_TIMEZONE", "Asia/Riyadh")


def viewer_zone_name(requested: str | None = None, booking_zone: str | None = None) -> str:
    """The zone the current page shows times in. A valid `requested` zone is remembered in the session."""
    explicit = None
    if has_request_context():
        if is_timezone(requested):
            session[SESSION_ZONE] = requested
        explicit = session.get(SESSION_ZONE)
    user_zone = current_user.timezone if getattr(current_user, "is_authenticated", False) else None
    return choose_zone(requested or explicit, user_zone, booking_zone)


def viewer_zone(requested: str | None = None, booking_zone: str | None = None) -> ZoneInfo:
    return ZoneInfo(viewer_zone_name(requested, booking_zone))  # ZoneInfo caches its instances


def _language(language: str | None) -> str:
    return language or str(get_locale() or "en")


def _zone(zone: str | ZoneInfo | None) -> ZoneInfo:
    if zone is None:
        return viewer_zone()
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def format_instant(moment: datetime | None, zone: str | ZoneInfo | None = None, style: str = "full", *,
                   language: str | None = None, with_zone: bool = False) -> str:
    """`moment` on `zone`'s wall clock (the viewer's when not given), in `language` (the page's).

    Styles: "full" (weekday, date and time: 'Tuesday, March 3, 2026 · 2:30 PM'), "date" (weekday
    and date), "day" ('March 3, 2026'), "time" ('2:30 PM'), or a CLDR pattern such as 'HH:mm'.
    `with_zone` names the zone after it: '... (Africa/Cairo)'.
    """
    if moment is None:
        return ""
    tz, locale = _zone(zone), _language(language)
    local = moment.astimezone(tz)
    if style == "full":
        text = f"{babel_date(local, 'full', locale=locale)} · {babel_time(local, 'short', locale=locale)}"
    elif style == "date":
        text = babel_date(local, "full", locale=locale)
    elif style == "day":
        text = babel_date(local, "long", locale=locale)
    elif style == "time":
        text = babel_time(local, "short", locale=locale)
    else:
        text = babel_datetime(local, style, locale=locale)
    return f"{text} ({tz.key})" if with_zone else text


def format_day(value: date, style: str = "full", *, language: str | None = None) -> str:
    """A calendar date (no zone: it is already local), e.g. 'Sunday, December 6, 2026'."""
    return babel_date(value, style, locale=_language(language))


# strftime directives the back-office templates use, as CLDR fields, so they render through babel
# in the viewer's language like every other time.
_STRFTIME_TO_CLDR = {"%a": "EEE", "%A": "EEEE", "%d": "dd", "%b": "MMM", "%B": "MMMM", "%m": "MM",
                     "%Y": "y", "%H": "HH", "%M": "mm", "%S": "ss", "%%": "%"}


def format_local(moment: datetime | None, fmt: str = "%a %d %b %Y %H:%M", zone: ZoneInfo | None = None) -> str:
    """The back office's compact forms ('%H:%M', '%d %b %H:%M'): `format_instant` with a pattern."""
    return format_instant(moment, zone, _cldr_pattern(fmt))


def _cldr_pattern(fmt: str) -> str:
    """A strftime pattern as CLDR: directives mapped, any other text quoted as a literal."""
    pattern, literal, i = [], "", 0
    while i < len(fmt):
        if fmt[i:i + 2] in _STRFTIME_TO_CLDR:
            if literal:
                pattern.append("'" + literal.replace("'", "''") + "'")
                literal = ""
            pattern.append(_STRFTIME_TO_CLDR[fmt[i:i + 2]])
            i += 2
        else:
            literal += fmt[i]
            i += 1
    if literal:
        pattern.append("'" + literal.replace("'", "''") + "'")
    return "".join(pattern)


def zone_label(tz: str, language: str | None = None) -> str:
    """The zone's id with its readable name: 'Europe/London (United Kingdom Time)'."""
    try:
        return f"{tz} ({get_timezone_name(ZoneInfo(tz), locale=_language(language))})"
    except Exception:  # noqa: BLE001 - a name babel cannot render is still shown by its id
        return tz


STATUS_LABELS = {"pending_payment": _l("Awaiting payment"), "pending_confirmation": _l("Awaiting confirmation"),
                 "confirmed": _l("Confirmed"), "rescheduled": _l("Rescheduled"), "completed": _l("Completed"),
                 "no_show": _l("Missed"), "cancelled": _l("Cancelled")}
PAYMENT_LABELS = {"unpaid": _l("Unpaid"), "not_required": _l("Free"),
                  "authorized": _l("Authorized (charged on confirmation)"), "paid": _l("Paid"),
                  "partially_refunded": _l("Partially refunded"), "refunded": _l("Refunded")}
MEETING_LABELS = {"online": _l("Online"), "in_person": _l("In person")}
METHOD_LABELS = {"stripe": _l("Card"), "cash": _l("Cash"), "bank_transfer": _l("Bank transfer"), "free": _l("Free")}


def _label(words: dict, value: str | None) -> str:
    return str(words[value]) if value in words else (value or "")


def status_label(status: str | None) -> str:
    """A booking status in the reader's language ('Awaiting confirmation')."""
    return _label(STATUS_LABELS, status)


def payment_label(status: str | None) -> str:
    return _label(PAYMENT_LABELS, status)


def meeting_label(kind: str | None) -> str:
    return _label(MEETING_LABELS, kind)


def method_label(method: str | None) -> str:
    return _label(METHOD_LABELS, method)


def init_app(app: Flask) -> None:
    """Every template (pages, emails, receipts) gets the same filters and functions."""
    filters = {"instant": format_instant, "day": format_day, "local": format_local, "zone_label": zone_label,
               "money": format_money, "status_label": status_label, "payment_label": payment_label,
               "meeting_label": meeting_label, "method_label": method_label}
    app.jinja_env.filters.update(filters)
    app.jinja_env.globals.update(format_local=format_local, format_money=format_money, status_label=status_label,
                                 payment_label=payment_label, meeting_label=meeting_label,
                                 method_label=method_label)
