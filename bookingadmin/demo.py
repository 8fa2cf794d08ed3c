"""Demo data for `make run`: a bilingual catalog over all five categories, staff, coaches, customers.

Every row is found by its natural key first, so seeding twice leaves the same rows.
"""
from __future__ import annotations

from datetime import time
from decimal import Decimal

from .auth.models import User, find_user_by_email
from .auth.permissions import ADMIN, COACH, CUSTOMER, SUPPORT
from .auth.services import create_user
from .availability.models import WeeklyHours
from .catalog.models import CoachProfile, ConsultationType, DurationOption
from .catalog.services import unique_coach_slug
from .extensions import db

DEMO_PASSWORD = "demo-pass-2026"
DEMO_LOGINS = [
    (ADMIN, "admin@example.com", DEMO_PASSWORD),
    (SUPPORT, "support@example.com", DEMO_PASSWORD),
    (COACH, "sara.coach@example.com", DEMO_PASSWORD),
    (COACH, "omar.coach@example.com", DEMO_PASSWORD),
    (CUSTOMER, "lina@example.com", DEMO_PASSWORD),
    (CUSTOMER, "adam@example.com", DEMO_PASSWORD),
]

USERS = {
    "admin@example.com": dict(name="Amal Admin", role=ADMIN, phone="+966501110001", timezone="Asia/Riyadh"),
    "support@example.com": dict(name="Sami Support", role=SUPPORT, phone="+966501110002", timezone="Asia/Riyadh"),
    "sara.coach@example.com": dict(name="Sara Al-Harbi", role=COACH, phone="+966501110003",
                                 timezone="Asia/Riyadh", language="ar"),
    "omar.coach@example.com": dict(name="Omar Hassan", role=COACH, phone="+201001110004", timezone="Africa/Cairo"),
    "lina@example.com": dict(name="Lina Customer", role=CUSTOMER, phone="+966501110005",
                           timezone="Asia/Riyadh", language="ar"),
    "adam@example.com": dict(name="Adam Customer", role=CUSTOMER, phone="+447911123456", timezone="Europe/London"),
}

COACHES = {
    "sara.coach@example.com": dict(
        display_name_en="Sara Al-Harbi", display_name_ar="سارة الحربي", title="Strength & conditioning coach",
        bio="Certified strength coach helping beginners and athletes train safely and consistently.",
        specialties=["strength", "weight loss", "women's fitness"], languages=["Arabic", "English"],
        years_experience=8, timezone="Asia/Riyadh",
        # Sunday–Thursday, with a lunch break.
        hours=[(d, time(9), time(13)) for d in (6, 0, 1, 2, 3)] + [(d, time(14), time(18)) for d in (6, 0, 1, 2, 3)]),
    "omar.coach@example.com": dict(
        display_name_en="Omar Hassan", display_name_ar="عمر حسن", title="Life coach & nutritionist",
        bio="Life coach and clinical nutritionist; practical plans that fit a busy week.",
        specialties=["habits", "nutrition", "stress"], languages=["Arabic", "English"],
        years_experience=11, timezone="Africa/Cairo",
        hours=[(d, time(10), time(14)) for d in (5, 6, 0, 1, 2)] + [(d, time(16), time(20)) for d in (5, 6, 0, 1, 2)]),
}

TYPES = [
    dict(number=101, category="sports", currency="USD", meeting_mode="both", title_en="Personal training consultation",
         title_ar="استشارة تدريب شخصي", description_en="Assessment of your fitness and a training plan that fits your week.",
         description_ar="تقييم لياقتك وخطة تدريب تناسب أسبوعك.", duration_label="30–90 min",
         features=["Fitness assessment", "Personal plan", "Follow-up message"],
         options=[(30, "50.00", False), (60, "90.00", True), (90, "120.00", False)], coaches=["sara.coach@example.com"]),
    dict(number=102, category="life_coaching", currency="SAR", meeting_mode="online", title_en="Life coaching session",
         title_ar="جلسة لايف كوتشينج", description_en="Clarify goals and build habits that stick.",
         description_ar="حدد أهدافك وابنِ عادات تدوم.", duration_label="45–60 min",
         features=["Goal setting", "Habit plan"], options=[(45, "150.00", False), (60, "190.00", True)],
         coaches=["omar.coach@example.com"]),
    dict(number=103, category="group", currency="USD", meeting_mode="online", title_en="Group mobility workshop",
         title_ar="ورشة مرونة جماعية", description_en="A small-group online workshop on mobility and posture.",
         description_ar="ورشة جماعية عبر الإنترنت عن المرونة والقوام.", duration_label="90 min", capacity=6,
         features=["Up to 6 people", "Recording"], options=[(90, "40.00", True)], coaches=["sara.coach@example.com"]),
    dict(number=104, category="vip", currency="USD", meeting_mode="both", title_en="VIP transformation consultation",
         title_ar="استشارة VIP للتحول الشامل", description_en="An in-depth consultation with a 12-week plan, reviewed before confirmation.",
         description_ar="استشارة معمقة مع خطة لمدة ١٢ أسبوعًا، تتم مراجعتها قبل التأكيد.", duration_label="60–120 min",
         requires_approval=True, buffer_after_minutes=15, features=["12-week plan", "Priority support"],
         options=[(60, "300.00", True), (120, "550.00", False)],
         coaches=["sara.coach@example.com", "omar.coach@example.com"]),
    dict(number=105, category="nutrition", currency="EGP", meeting_mode="both", title_en="Nutrition plan review",
         title_ar="مراجعة الخطة الغذائية", description_en="Review your meals and get a practical nutrition plan.",
         description_ar="مراجعة وجباتك والحصول على خطة غذائية عملية.", duration_label="30–60 min",
         features=["Meal review", "Shopping list"], options=[(30, "500.00", False), (60, "900.00", True)],
         coaches=["omar.coach@example.com"]),
    dict(number=106, category="life_coaching", currency="USD", meeting_mode="online", title_en="Free discovery call",
         title_ar="مكالمة تعارف مجانية", description_en="Fifteen minutes to see whether coaching is right for you.",
         description_ar="خمس عشرة دقيقة لنعرف إن كان التدريب مناسبًا لك.", duration_label="15 min",
         features=["No payment needed"], options=[(15, "0.00", True)],
         coaches=["sara.coach@example.com", "omar.coach@example.com"]),
]


def seed_demo() -> dict[str, int]:
    counts = {"users": 0, "coaches": 0, "consultation types": 0}
    for email, fields in USERS.items():
        if find_user_by_email(email) is None:
            create_user(email=email, password=DEMO_PASSWORD, **fields)
            counts["users"] += 1
    coaches = {email: _seed_coach(email, spec, counts) for email, spec in COACHES.items()}
    for spec in TYPES:
        _seed_type(spec, coaches, counts)
    db.session.flush()
    return counts


def _seed_coach(email: str, spec: dict, counts: dict) -> CoachProfile:
    user = find_user_by_email(email)
    coach = db.session.scalar(db.select(CoachProfile).where(CoachProfile.user_id == user.id))
    if coach is not None:
        return coach
    spec = dict(spec)
    hours = spec.pop("hours")
    coach = CoachProfile(user=user, slug=unique_coach_slug(spec["display_name_en"]), **spec)
    db.session.add(coach)
    db.session.flush()
    for weekday, start, end in hours:
        db.session.add(WeeklyHours(coach_id=coach.id, weekday=weekday, start_time=start, end_time=end))
    counts["coaches"] += 1
    return coach


def _seed_type(spec: dict, coaches: dict[str, CoachProfile], counts: dict) -> None:
    if db.session.scalar(db.select(ConsultationType.id).where(ConsultationType.number == spec["number"])):
        return
    spec = dict(spec)
    options = spec.pop("options")
    coach_emails = spec.pop("coaches")
    ctype = ConsultationType(**{"max_bookings_per_day": 5, **spec})
    ctype.duration_options = [DurationOption(minutes=m, price=Decimal(p), is_default=d) for m, p, d in options]
    ctype.coaches = [coaches[e] for e in coach_emails]
    db.session.add(ctype)
    counts["consultation types"] += 1


__all__ = ["DEMO_LOGINS", "seed_demo", "User"]
