"""Turning an outbox row into an email: HTML and plain text in the recipient's language, times in the
recipient's zone with the zone named, right-to-left for Arabic, with .ics and receipt attachments.

Facts frozen in the row's payload (the time at that moment, the refund, the .ics sequence) win over
the booking's current values; the rest (names, meeting link) is read from the booking when sending.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app

from ..core.money import format_money
from . import accounts, texts
from .models import Notification

CUSTOMER_KINDS = ("booking_created", "payment_received", "awaiting_approval", "confirmed", "rescheduled",
                  "cancelled", "refund_issued", "reminder", "completed")
STAFF_KINDS = ("staff_new_booking", "staff_cancelled", "staff_rescheduled")
KINDS = CUSTOMER_KINDS + STAFF_KINDS


@dataclass
class RenderedEmail:
    subject: str
    text: str
    html: str
    attachments: list[tuple[bytes, str, str, str, dict]] = field(default_factory=list)  # data, type, subtype, name, params


def format_when(moment: datetime, tz: str, language: str) -> str:
    """`Tuesday 3 March 2026, 14:00 (Asia/Riyadh)`: the recipient's wall clock and the zone's name."""
    local = format_datetime(moment, "EEEE d MMMM y, HH:mm", tzinfo=ZoneInfo(tz), locale=language)
    return f"{local} ({tz})"


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _offset_text(hours: int, labels: dict) -> str:
    return labels["hour"] if hours == 1 else labels["hours"].format(n=hours)


def context(row: Notification) -> dict:
    booking, payload = row.booking, row.payload or {}
    lang, tz, labels = row.language, row.timezone, texts.labels(row.language)
    starts_at = _instant(payload.get("starts_at")) or booking.starts_at
    refund = payload.get("refund_amount")
    reason = payload.get("reason")
    values = {
        "name": row.recipient_name or "",
        "number": booking.number,
        "title": booking.type_title_ar if lang == "ar" and booking.type_title_ar else booking.type_title_en,
        "coach": booking.coach.display_name(lang),
        "customer": booking.customer_name,
        "when": format_when(starts_at, tz, lang),
        "old_when": format_when(_instant(payload["from_starts_at"]), tz, lang) if payload.get("from_starts_at") else "",
        "amount": format_money(Decimal(payload.get("amount") or booking.amount), booking.currency),
        "refund": (format_money(Decimal(refund), payload.get("currency") or booking.currency)
                   if refund not in (None, "") and Decimal(refund) > 0 else labels["no_refund"]),
        "reason_line": (" " + labels["reason"].format(reason=reason)) if reason else "",
        "offset": _offset_text(int(payload.get("offset_hours") or 0), labels),
        "status": labels["status"].get(payload.get("status") or booking.status, booking.status),
    }
    return {"values": values, "starts_at": starts_at, "labels": labels, "booking": booking}


def _details(row: Notification, ctx: dict) -> list[tuple[str, str]]:
    booking, labels, values = ctx["booking"], ctx["labels"], ctx["values"]
    rows = [(labels["booking"], booking.number), (labels["consultation"], values["title"]),
            (labels["coach"], values["coach"]), (labels["when"], values["when"]),
            (labels["duration"], labels["minutes"].format(n=booking.duration_minutes)),
            (labels["meeting"], labels.get(booking.meeting_type, booking.meeting_type))]
    if booking.meeting_type == "online" and booking.meeting_link and row.kind not in ("cancelled", "staff_cancelled"):
        rows.append((labels["link"], booking.meeting_link))
    if booking.meeting_type == "in_person" and booking.meeting_location:
        rows.append((labels["location"], booking.meeting_location))
    if Decimal(booking.amount) > 0:
        rows.append((labels["amount"], values["amount"]))
    return rows


def _action_url(row: Notification) -> str:
    base, booking = current_app.config["APP_BASE_URL"], row.booking
    if row.kind in STAFF_KINDS:
        return f"{base}/admin/bookings/details/?id={booking.id}"
    if row.kind == "cancelled":
        return f"{base}/"
    if row.kind == "completed":
        return f"{base}/my/bookings/{booking.number}#feedback"
    return f"{base}/my/bookings/{booking.number}"


def render(row: Notification, *, now: datetime) -> RenderedEmail:
    if row.booking_id is None and row.kind in accounts.ACCOUNT_KINDS:
        page = accounts.page(row)
        return RenderedEmail(subject=page["subject"], text=render_outside_request("emails/message.txt", page),
                             html=render_outside_request("emails/message.html", page))
    ctx = context(row)
    words = texts.message(row.kind, row.language)
    values = ctx["values"]
    page = {
        "lang": row.language, "dir": "rtl" if row.language == "ar" else "ltr",
        "subject": words["subject"].format(**values), "heading": words["heading"].format(**values),
        "paragraphs": [p.format(**values) for p in words["intro"].split("\n\n")],
        "details": _details(row, ctx), "action": words.get("action"), "action_url": _action_url(row),
        "footer": ctx["labels"]["footer"].format(business=current_app.config["BUSINESS_NAME"]),
        "business": current_app.config["BUSINESS_NAME"],
    }
    email = RenderedEmail(subject=page["subject"], text=render_outside_request("emails/message.txt", page),
                          html=render_outside_request("emails/message.html", page))
    _attach_calendar(row, ctx, email, now)
    _attach_receipt(row, email)
    return email


def render_outside_request(name: str, values: dict) -> str:
    """A template rendered by a job: straight from the Jinja environment, so context processors that
    expect a request (the page language, the signed-in user) are not run."""
    return current_app.jinja_env.get_template(name).render(**values)


def _attach_calendar(row: Notification, ctx: dict, email: RenderedEmail, now: datetime) -> None:
    ics = (row.payload or {}).get("ics")
    if not ics:
        return
    from ..calendar.ics import invitation

    starts_at = ctx["starts_at"]
    ends_at = _instant(row.payload.get("ends_at")) or starts_at + timedelta(minutes=ctx["booking"].duration_minutes)
    data = invitation(ctx["booking"], method=ics["method"], sequence=int(ics["sequence"]), tz=row.timezone,
                      now=now, language=row.language, starts_at=starts_at, ends_at=ends_at)
    name = "cancel.ics" if ics["method"] == "CANCEL" else "invite.ics"
    email.attachments.append((data, "text", "calendar", name, {"method": ics["method"]}))


def _attach_receipt(row: Notification, email: RenderedEmail) -> None:
    receipt = row.receipt or (row.depends_on.receipt if row.depends_on is not None else None)
    if receipt is None:
        return
    from ..receipts.services import current_pdf

    email.attachments.append((current_pdf(receipt), "application", "pdf", f"receipt-{receipt.number}.pdf", {}))


def build_message(row: Notification, *, now: datetime) -> EmailMessage:
    """The complete MIME message; its Message-ID is stable for the row (a duplicate is recognisable)."""
    rendered = render(row, now=now)
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = Address(display_name=row.recipient_name or "", addr_spec=row.recipient_email)
    message["Date"] = formatdate(now.timestamp(), localtime=False)
    message["Message-ID"] = message_id(row)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Bookingadmin-Kind"] = row.kind
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    for data, maintype, subtype, filename, params in rendered.attachments:
        if maintype == "text":
            message.add_attachment(data.decode("utf-8"), subtype=subtype, filename=filename, params=params)
        else:
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    message["Content-Language"] = row.language  # after the body: set_content() clears Content-* headers
    return message


def message_id(row: Notification) -> str:
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "bookingadmin"
    return f"<notification-{row.id}@{domain}>"
