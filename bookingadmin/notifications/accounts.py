"""Emails about an account rather than a booking.

When someone asks for an account, the registration page gives the same answer whether the address
was new or already had an account (no one learns which addresses have accounts). The mailbox's owner
learns it here: a welcome for a new account, or a note that their address was used again.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app

from .outbox import Recipient, add

ACCOUNT_KINDS = ("welcome", "account_exists")

MESSAGES = {
    "welcome": {
        "en": {"subject": "Your account at {business} is ready",
               "heading": "Welcome, {name}",
               "intro": "Your account is ready. Log in with this email address and the password you chose "
                        "to book and manage your consultations.",
               "action": "Log in"},
        "ar": {"subject": "حسابك لدى {business} جاهز",
               "heading": "أهلاً بك يا {name}",
               "intro": "حسابك جاهز. سجّل الدخول بهذا البريد الإلكتروني وكلمة المرور التي اخترتها "
                        "لحجز استشاراتك وإدارتها.",
               "action": "تسجيل الدخول"},
    },
    "account_exists": {
        "en": {"subject": "Someone asked for a new account with your email address",
               "heading": "You already have an account",
               "intro": "Hello {name},\n\nSomeone, perhaps you, asked for a new account at {business} with this "
                        "email address. It already has an account, so nothing was created or changed.\n\n"
                        "If it was you, log in with your password. If it was not you, you can ignore this "
                        "email; your account is safe.",
               "action": "Log in"},
        "ar": {"subject": "طلب أحدهم حساباً جديداً ببريدك الإلكتروني",
               "heading": "لديك حساب بالفعل",
               "intro": "مرحباً {name}،\n\nطلب أحدهم، وربما أنت، حساباً جديداً لدى {business} بهذا البريد "
                        "الإلكتروني. لهذا البريد حساب بالفعل، لذلك لم يُنشأ أو يُغيَّر شيء.\n\n"
                        "إن كنت أنت، فسجّل الدخول بكلمة مرورك. وإن لم تكن أنت، يمكنك تجاهل هذه الرسالة؛ "
                        "حسابك بأمان.",
               "action": "تسجيل الدخول"},
    },
}
FOOTER = {"en": "You receive this email because this address was given at {business}.",
          "ar": "تصلك هذه الرسالة لأن هذا العنوان أُدخل لدى {business}."}


def on_account_requested(sender, *, user, existing: bool, now: datetime, **_) -> None:
    """Receiver of core.events.account_requested: one email to the address, in the same transaction."""
    recipient = Recipient(email=user.email, name=user.name, language=user.language, timezone=user.timezone,
                          user_id=user.id, role=user.role)
    add(kind="account_exists" if existing else "welcome", key=None, now=now, recipient=recipient)


def page(row) -> dict:
    """What the email template needs, for an account email (no booking, no details table)."""
    business = current_app.config["BUSINESS_NAME"]
    lang = row.language if row.language in ("en", "ar") else "en"
    words = MESSAGES[row.kind][lang]
    values = {"name": row.recipient_name or "", "business": business}
    return {
        "lang": lang, "dir": "rtl" if lang == "ar" else "ltr",
        "subject": words["subject"].format(**values), "heading": words["heading"].format(**values),
        "paragraphs": [p.format(**values) for p in words["intro"].split("\n\n")], "details": [],
        "action": words["action"], "action_url": f"{current_app.config['APP_BASE_URL']}/login",
        "footer": FOOTER[lang].format(business=business), "business": business,
    }
