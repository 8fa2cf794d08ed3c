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

from flask import current_app
from flask_babel import force_locale, gettext as _, ngettext

from ..core.display import format_instant, meeting_label, status_label
from ..core.money import format_money
from . import accounts
from .attachments import receipt_pdf
from .messages import MESSAGES
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


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _when(moment: datetime, row: Notification) -> str:
    """The recipient's wall clock with the zone named (the zone frozen on the row: see core/display)."""
    return format_instant(moment, row.timezone, language=row.language, with_zone=True)


def context(row: Notification) -> dict:
    """The values the message's placeholders take; call under `force_locale(row.language)`."""
    booking, payload = row.booking, row.payload or {}
    lang = row.language
    starts_at = _instant(payload.get("starts_at")) or booking.starts_at
    refund = payload.get("refund_amount")
    reason = payload.get("reason")
    values = {
        "name": row.recipient_name or "",
        "number": booking.number,
        "title": booking.type_title_ar if lang == "ar" and booking.type_title_ar else booking.type_title_en,
        "coach": booking.coach.display_name(lang),
        "customer": booking.customer_name,
        "when": _when(starts_at, row),
        "old_when": _when(_instant(payload["from_starts_at"]), row) if payload.get("from_starts_at") else "",
        "amount": format_money(Decimal(payload.get("amount") or booking.amount), booking.currency),
        "refund": (format_money(Decimal(refund), payload.get("currency") or booking.currency)
                   if refund not in (None, "") and Decimal(refund) > 0 else _("none")),
        "reason_line": (" " + _("Reason: %(reason)s", reason=reason)) if reason else "",
        "offset": ngettext("%(num)s hour", "%(num)s hours", int(payload.get("offset_hours") or 0)),
        "status": status_label(payload.get("status") or booking.status),
    }
    return {"values": values, "starts_at": starts_at, "booking": booking}


def _details(row: Notification, ctx: dict) -> list[tuple[str, str]]:
    booking, values = ctx["booking"], ctx["values"]
    rows = [(_("Booking"), booking.number), (_("Consultation"), values["title"]),
            (_("Coach"), values["coach"]), (_("Date and time"), values["when"]),
            (_("Duration"), _("%(minutes)s min", minutes=booking.duration_minutes)),
            (_("Meeting"), meeting_label(booking.meeting_type))]
    if booking.meeting_type == "online" and booking.meeting_link and row.kind not in ("cancelled", "staff_cancelled"):
        rows.append((_("Link"), booking.meeting_link))
    if booking.meeting_type == "in_person" and booking.meeting_location:
        rows.append((_("Location"), booking.meeting_location))
    if Decimal(booking.amount) > 0:
        rows.append((_("Amount"), values["amount"]))
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
    """The email in the recipient's language (the Babel catalog under `force_locale`)."""
    with force_locale(row.language):
        if row.booking_id is None and row.kind in accounts.ACCOUNT_KINDS:
            page = accounts.page(row)
            return RenderedEmail(subject=page["subject"], text=render_outside_request("emails/message.txt", page),
                                 html=render_outside_request("emails/message.html", page))
        ctx = context(row)
        page = _page(row, ctx)
        email = RenderedEmail(subject=page["subject"], text=render_outside_request("emails/message.txt", page),
                              html=render_outside_request("emails/message.html", page))
    _attach_calendar(row, ctx, email, now)
    _attach_receipt(row, email)
    return email


def _page(row: Notification, ctx: dict) -> dict:
    words, values, business = MESSAGES[row.kind], ctx["values"], current_app.config["BUSINESS_NAME"]
    return {
        "lang": row.language, "dir": "rtl" if row.language == "ar" else "ltr",
        "subject": words.subject % values, "heading": words.heading % values,
        "paragraphs": [p % values for p in words.paragraphs],
        "details": _details(row, ctx), "action": str(words.action) if words.action else None,
        "action_url": _action_url(row),
        "footer": _("You receive this email because of your booking with %(business)s.", business=business),
        "business": business,
    }


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
    pdf = receipt_pdf(receipt)  # None when PDF receipts are off: the email goes without it
    if pdf is not None:
        email.attachments.append((pdf, "application", "pdf", f"receipt-{receipt.number}.pdf", {}))


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
