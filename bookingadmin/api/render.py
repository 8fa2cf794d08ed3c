"""Rendering rows as JSON. Instants are ISO 8601 with their offset; money is a decimal string and
a currency code; bilingual text is {"en": ..., "ar": ...}."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..core.money import quantize


def instant(value: datetime | None, zone: str | None = None) -> str | None:
    """ISO 8601 with offset, in `zone` when given (the viewer's), otherwise UTC."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone) if zone else timezone.utc).isoformat()


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def clock(value: time | None, *, end: bool = False) -> str | None:
    """HH:MM; an end at midnight (stored as 00:00) is 24:00."""
    if value is None:
        return None
    return "24:00" if end and value == time(0) else value.strftime("%H:%M")


def money(amount: Decimal | None, currency: str) -> dict | None:
    if amount is None:
        return None
    return {"amount": str(quantize(amount, currency)), "currency": currency}


def bilingual(en: str, ar: str) -> dict:
    return {"en": en, "ar": ar or en}


def consultation_type(ctype) -> dict:
    return {
        "id": ctype.id,
        "number": ctype.number,
        "title": bilingual(ctype.title_en, ctype.title_ar),
        "description": bilingual(ctype.description_en, ctype.description_ar),
        "category": ctype.category,
        "duration_label": ctype.duration_label,
        "features": list(ctype.features or []),
        "image_url": ctype.image_url,
        "currency": ctype.currency,
        "is_free": ctype.is_free,
        "durations": [{"minutes": o.minutes, "price": money(o.price, ctype.currency), "is_default": o.is_default}
                      for o in ctype.duration_options],
        "requires_approval": ctype.requires_approval,
        "meeting_mode": ctype.meeting_mode,
        "capacity": ctype.capacity,
        "min_notice_minutes": ctype.min_notice_minutes,
        "horizon_days": ctype.horizon_days,
        "cancellation_policy": {
            "full_refund_until_hours_before": ctype.refund_full_hours,
            "partial_refund_until_hours_before": ctype.refund_partial_hours,
            "partial_refund_percent": ctype.refund_partial_percent,
            "reschedule_until_hours_before": ctype.reschedule_min_hours,
        },
        "coach_ids": sorted(c.id for c in ctype.coaches if c.is_active),
    }


def coach(profile) -> dict:
    return {
        "id": profile.id,
        "slug": profile.slug,
        "display_name": bilingual(profile.display_name_en, profile.display_name_ar),
        "title": profile.title,
        "bio": profile.bio,
        "specialties": list(profile.specialties or []),
        "languages": list(profile.languages or []),
        "years_experience": profile.years_experience,
        "rating": str(profile.rating) if profile.rating is not None else None,
        "review_count": profile.review_count,
        "avatar_url": profile.avatar_url,
        "timezone": profile.timezone,
        "consultation_type_ids": sorted(t.id for t in profile.consultation_types if t.is_active),
    }


def user(account, permissions: list[str] | None = None) -> dict:
    data = {"id": account.id, "email": account.email, "name": account.name, "role": account.role,
            "language": account.language, "timezone": account.timezone}
    if permissions is not None:
        data["permissions"] = permissions
    return data


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def bookable_time(item, zone: str) -> dict:
    return {"starts_at": instant(item.starts_at, zone), "ends_at": instant(item.ends_at, zone),
            "price": money(item.price, item.currency), "remaining": item.remaining, "slot_id": item.slot_id}


def availability_rules(profile, weekly, overrides) -> dict:
    days: dict[str, dict] = {}
    for row in overrides:
        entry = days.setdefault(row.day.isoformat(), {"date": row.day.isoformat(), "blocked": row.blocked,
                                                      "hours": [], "reason": row.reason or ""})
        if not row.blocked:
            entry["hours"].append({"start": clock(row.start_time), "end": clock(row.end_time, end=True)})
    return {
        "coach_id": profile.id,
        "timezone": profile.timezone,
        "weekly_hours": [{"weekday": row.weekday, "weekday_name": WEEKDAYS[row.weekday],
                          "start": clock(row.start_time), "end": clock(row.end_time, end=True),
                          "consultation_type_ids": row.consultation_type_ids} for row in weekly],
        "overrides": list(days.values()),
    }


def slot(row, booked: int, zone: str) -> dict:
    """A slot: its coach-local wall times, the same as instants, and its seats."""
    tz = ZoneInfo(zone)
    return {
        "id": row.id,
        "coach_id": row.coach_id,
        "date": day(row.day),
        "start_time": clock(row.start_time),
        "end_time": clock(row.end_time),
        "timezone": zone,
        "starts_at": instant(datetime.combine(row.day, row.start_time, tzinfo=tz), zone),
        "ends_at": instant(datetime.combine(row.day, row.end_time, tzinfo=tz), zone),
        "capacity": row.capacity,
        "booked": booked,
        "remaining": max(row.capacity - booked, 0),
        "consultation_type_id": row.consultation_type_id,
        "is_active": row.is_active,
    }


def booking(row, *, actions: set[str], show_intake: bool, show_staff_notes: bool) -> dict:
    """A booking as its viewer may see it: intake only for those allowed to read it, staff notes for managers."""
    data = {
        "number": row.number,
        "status": row.status,
        "allowed_actions": sorted(actions),
        "consultation_type": {"id": row.consultation_type_id, "title": bilingual(row.type_title_en, row.type_title_ar),
                              "category": row.type_category},
        "coach": {"id": row.coach_id, "display_name": bilingual(row.coach.display_name_en, row.coach.display_name_ar)},
        "customer": {"id": row.customer_id, "name": row.customer_name, "email": row.customer_email,
                     "phone": row.customer_phone or None},
        "starts_at": instant(row.starts_at),
        "ends_at": instant(row.ends_at),
        "timezone": row.timezone,
        "local_starts_at": instant(row.starts_at, row.timezone),
        "duration_minutes": row.duration_minutes,
        "slot_id": row.slot_id,
        "meeting": {"type": row.meeting_type, "link": row.meeting_link, "password": row.meeting_password,
                    "location": row.meeting_location},
        "price": money(row.amount, row.currency),
        "payment": {"status": row.payment_status, "method": row.payment_method},
        "hold_expires_at": instant(row.hold_expires_at),
        "created_at": instant(row.created_at),
        "confirmed_at": instant(row.confirmed_at),
        "completed_at": instant(row.completed_at),
        "no_show_at": instant(row.no_show_at),
        "cancellation": ({"at": instant(row.cancelled_at), "by": row.cancelled_by, "reason": row.cancellation_reason}
                         if row.cancelled_at else None),
        "rescheduled_from": instant(row.rescheduled_from_starts_at),
        "reschedule_count": row.reschedule_count,
        "feedback": ({"rating": row.feedback_rating, "comment": row.feedback_comment, "at": instant(row.feedback_at)}
                     if row.feedback_at else None),
        "source": row.source,
    }
    if show_intake:
        data["intake"] = row.intake
    if show_staff_notes:
        data["staff_notes"] = {"admin_notes": row.admin_notes, "follow_up_required": row.follow_up_required,
                               "follow_up_notes": row.follow_up_notes, "follow_up_date": day(row.follow_up_date)}
    return data
