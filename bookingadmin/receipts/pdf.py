"""A receipt's PDF, rendered by WeasyPrint from its snapshot alone (so the same snapshot gives the same text)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from ..core.money import format_money, quantize

LABELS = {
    "en": {"title": "Receipt", "number": "Receipt number", "issued": "Issued", "billed_to": "Billed to",
           "consultation": "Consultation", "coach": "Coach", "when": "Date and time", "duration": "Duration",
           "minutes": "{n} minutes", "booking": "Booking", "paid": "Amount paid", "method": "Payment method",
           "paid_at": "Paid on", "credits": "Refunds (credit)", "credit": "Refund", "net": "Total after refunds",
           "thanks": "Thank you for your trust.",
           "methods": {"stripe": "Card", "cash": "Cash", "bank_transfer": "Bank transfer", "free": "Free"}},
    "ar": {"title": "إيصال", "number": "رقم الإيصال", "issued": "تاريخ الإصدار", "billed_to": "العميل",
           "consultation": "الاستشارة", "coach": "المدرب", "when": "التاريخ والوقت", "duration": "المدة",
           "minutes": "{n} دقيقة", "booking": "الحجز", "paid": "المبلغ المدفوع", "method": "طريقة الدفع",
           "paid_at": "تاريخ الدفع", "credits": "المبالغ المستردة (دائن)", "credit": "استرداد",
           "net": "الإجمالي بعد الاسترداد", "thanks": "شكراً لثقتك بنا.",
           "methods": {"stripe": "بطاقة", "cash": "نقداً", "bank_transfer": "تحويل بنكي", "free": "مجاني"}},
}


def _when(value: str, zone: str, language: str, pattern: str = "EEEE d MMMM y, HH:mm") -> str:
    moment = datetime.fromisoformat(value)
    return f"{format_datetime(moment, pattern, tzinfo=ZoneInfo(zone), locale=language)} ({zone})"


def page_context(snapshot: dict) -> dict:
    language = snapshot.get("language") if snapshot.get("language") in LABELS else "en"
    labels, zone, currency = LABELS[language], snapshot["timezone"], snapshot["currency"]
    booking = snapshot["booking"]
    credits = [{**c, "amount_text": "−" + format_money(Decimal(c["amount"]), currency),
                "when": _when(c["issued_at"], zone, language, "d MMMM y")} for c in snapshot.get("credits") or []]
    net = quantize(Decimal(snapshot["amount"]) - sum((Decimal(c["amount"]) for c in credits), Decimal(0)), currency)
    return {
        "s": snapshot, "lang": language, "dir": "rtl" if language == "ar" else "ltr", "t": labels,
        "title": booking["title_ar"] if language == "ar" else booking["title_en"],
        "coach": (booking.get("coach_ar") or booking["coach_en"]) if language == "ar" else booking["coach_en"],
        "when": _when(booking["starts_at"], zone, language),
        "issued": _when(snapshot["issued_at"], zone, language, "d MMMM y"),
        "paid_at": _when(snapshot["paid_at"], zone, language, "d MMMM y"),
        "amount": format_money(Decimal(snapshot["amount"]), currency),
        "method": labels["methods"].get(snapshot.get("payment_method") or "", snapshot.get("payment_method") or ""),
        "credits": credits, "net": format_money(net, currency),
    }


def render_html(snapshot: dict) -> str:
    from ..notifications.rendering import render_outside_request

    return render_outside_request("receipts/receipt.html", page_context(snapshot))


def render_pdf(snapshot: dict) -> bytes:
    from weasyprint import HTML  # slow to import: only where PDFs are made

    return HTML(string=render_html(snapshot)).write_pdf()
