"""What each email says, in English and Arabic. Placeholders are filled from the rendering context.

Each kind has: subject, heading, intro (paragraphs separated by a blank line), and optionally
`action` (the button's label; the link is chosen by the kind).
"""
from __future__ import annotations

MESSAGES: dict[str, dict[str, dict[str, str]]] = {
    "booking_created": {
        "en": {"subject": "Booking {number} received: awaiting payment",
               "heading": "We have your booking",
               "intro": "Hello {name},\n\nYour booking for {title} with {coach} on {when} is held for you "
                        "until you pay {amount}. Please complete the payment to secure your time.",
               "action": "Pay and manage the booking"},
        "ar": {"subject": "تم استلام الحجز {number}: بانتظار الدفع",
               "heading": "استلمنا حجزك",
               "intro": "مرحباً {name}،\n\nحجزك لـ{title} مع {coach} في {when} محجوز لك حتى تدفع {amount}. "
                        "يُرجى إتمام الدفع لتأكيد موعدك.",
               "action": "الدفع وإدارة الحجز"},
    },
    "payment_received": {
        "en": {"subject": "Payment received for booking {number}",
               "heading": "Thank you for your payment",
               "intro": "Hello {name},\n\nWe received {amount} for {title} with {coach} on {when}. "
                        "Your receipt is attached.",
               "action": "View the booking"},
        "ar": {"subject": "تم استلام الدفع للحجز {number}",
               "heading": "شكراً لك على الدفع",
               "intro": "مرحباً {name}،\n\nاستلمنا {amount} مقابل {title} مع {coach} في {when}. "
                        "إيصالك مرفق بهذه الرسالة.",
               "action": "عرض الحجز"},
    },
    "awaiting_approval": {
        "en": {"subject": "Booking {number} is awaiting approval",
               "heading": "Your booking is awaiting approval",
               "intro": "Hello {name},\n\n{coach} will review your booking for {title} on {when}. "
                        "We will write again as soon as it is confirmed.",
               "action": "View the booking"},
        "ar": {"subject": "الحجز {number} بانتظار الموافقة",
               "heading": "حجزك بانتظار الموافقة",
               "intro": "مرحباً {name}،\n\nسيراجع {coach} حجزك لـ{title} في {when}. "
                        "سنراسلك فور تأكيده.",
               "action": "عرض الحجز"},
    },
    "confirmed": {
        "en": {"subject": "Booking {number} confirmed: {when}",
               "heading": "Your consultation is confirmed",
               "intro": "Hello {name},\n\nYour consultation {title} with {coach} is confirmed for {when}. "
                        "The attached calendar invitation adds it to your calendar.",
               "action": "View the booking"},
        "ar": {"subject": "تم تأكيد الحجز {number}: {when}",
               "heading": "تم تأكيد استشارتك",
               "intro": "مرحباً {name}،\n\nتم تأكيد استشارتك {title} مع {coach} في {when}. "
                        "أضِف الموعد إلى تقويمك من الدعوة المرفقة.",
               "action": "عرض الحجز"},
    },
    "rescheduled": {
        "en": {"subject": "Booking {number} moved to {when}",
               "heading": "Your consultation has a new time",
               "intro": "Hello {name},\n\nYour consultation {title} with {coach} has moved from {old_when} "
                        "to {when}. The attached invitation updates your calendar.",
               "action": "View the booking"},
        "ar": {"subject": "تم تغيير موعد الحجز {number} إلى {when}",
               "heading": "لاستشارتك موعد جديد",
               "intro": "مرحباً {name}،\n\nتم نقل استشارتك {title} مع {coach} من {old_when} إلى {when}. "
                        "الدعوة المرفقة تحدّث تقويمك.",
               "action": "عرض الحجز"},
    },
    "cancelled": {
        "en": {"subject": "Booking {number} cancelled",
               "heading": "Your booking is cancelled",
               "intro": "Hello {name},\n\nYour booking for {title} with {coach} on {when} is cancelled."
                        "{reason_line}\n\nRefund: {refund}.",
               "action": "Book another time"},
        "ar": {"subject": "تم إلغاء الحجز {number}",
               "heading": "تم إلغاء حجزك",
               "intro": "مرحباً {name}،\n\nتم إلغاء حجزك لـ{title} مع {coach} في {when}.{reason_line}"
                        "\n\nالمبلغ المسترد: {refund}.",
               "action": "احجز موعداً آخر"},
    },
    "refund_issued": {
        "en": {"subject": "Refund of {refund} for booking {number}",
               "heading": "Your refund is on its way",
               "intro": "Hello {name},\n\nWe refunded {refund} for {title} ({number}). Depending on your bank "
                        "it can take a few days to appear.",
               "action": "View the booking"},
        "ar": {"subject": "استرداد {refund} للحجز {number}",
               "heading": "تم إصدار المبلغ المسترد",
               "intro": "مرحباً {name}،\n\nأعدنا {refund} مقابل {title} ({number}). قد يستغرق ظهوره "
                        "بضعة أيام حسب مصرفك.",
               "action": "عرض الحجز"},
    },
    "reminder": {
        "en": {"subject": "Reminder: {title} starts in {offset}",
               "heading": "See you soon",
               "intro": "Hello {name},\n\nThis is a reminder that your consultation {title} with {coach} "
                        "starts in {offset}, on {when}.",
               "action": "View the booking"},
        "ar": {"subject": "تذكير: تبدأ {title} بعد {offset}",
               "heading": "نراك قريباً",
               "intro": "مرحباً {name}،\n\nنذكّرك بأن استشارتك {title} مع {coach} تبدأ بعد {offset}، في {when}.",
               "action": "عرض الحجز"},
    },
    "completed": {
        "en": {"subject": "How was your consultation? ({number})",
               "heading": "Thank you for your session",
               "intro": "Hello {name},\n\nWe hope {title} with {coach} was helpful. Would you tell us how it went? "
                        "It takes a minute and helps {coach} and other clients.",
               "action": "Leave feedback"},
        "ar": {"subject": "كيف كانت استشارتك؟ ({number})",
               "heading": "شكراً على جلستك",
               "intro": "مرحباً {name}،\n\nنأمل أن تكون {title} مع {coach} مفيدة لك. هل تخبرنا كيف كانت؟ "
                        "لن يستغرق ذلك سوى دقيقة ويساعد {coach} وبقية العملاء.",
               "action": "شاركنا رأيك"},
    },
    "staff_new_booking": {
        "en": {"subject": "New booking {number}: {title}, {when}",
               "heading": "New booking",
               "intro": "Hello {name},\n\n{customer} booked {title} with {coach} on {when} ({status}).",
               "action": "Open in the back office"},
        "ar": {"subject": "حجز جديد {number}: {title}، {when}",
               "heading": "حجز جديد",
               "intro": "مرحباً {name}،\n\nحجز {customer} {title} مع {coach} في {when} ({status}).",
               "action": "فتح في لوحة الإدارة"},
    },
    "staff_cancelled": {
        "en": {"subject": "Booking {number} cancelled: {title}, {when}",
               "heading": "Booking cancelled",
               "intro": "Hello {name},\n\nThe booking of {customer} for {title} with {coach} on {when} was "
                        "cancelled.{reason_line}\n\nRefund: {refund}.",
               "action": "Open in the back office"},
        "ar": {"subject": "تم إلغاء الحجز {number}: {title}، {when}",
               "heading": "تم إلغاء حجز",
               "intro": "مرحباً {name}،\n\nأُلغي حجز {customer} لـ{title} مع {coach} في {when}.{reason_line}"
                        "\n\nالمبلغ المسترد: {refund}.",
               "action": "فتح في لوحة الإدارة"},
    },
    "staff_rescheduled": {
        "en": {"subject": "Booking {number} moved to {when}",
               "heading": "Booking moved",
               "intro": "Hello {name},\n\nThe booking of {customer} for {title} with {coach} moved from "
                        "{old_when} to {when}.",
               "action": "Open in the back office"},
        "ar": {"subject": "نُقل الحجز {number} إلى {when}",
               "heading": "تم نقل حجز",
               "intro": "مرحباً {name}،\n\nنُقل حجز {customer} لـ{title} مع {coach} من {old_when} إلى {when}.",
               "action": "فتح في لوحة الإدارة"},
    },
}

LABELS = {
    "en": {"booking": "Booking", "consultation": "Consultation", "coach": "Coach", "when": "Date and time",
           "duration": "Duration", "minutes": "{n} minutes", "meeting": "Meeting", "online": "Online",
           "in_person": "In person", "link": "Link", "location": "Location", "amount": "Amount",
           "reason": "Reason: {reason}", "no_refund": "none", "hours": "{n} hours", "hour": "1 hour",
           "footer": "You receive this email because of your booking with {business}.",
           "status": {"pending_payment": "awaiting payment", "pending_confirmation": "awaiting approval",
                      "confirmed": "confirmed", "rescheduled": "rescheduled", "cancelled": "cancelled",
                      "completed": "completed", "no_show": "no-show"}},
    "ar": {"booking": "الحجز", "consultation": "الاستشارة", "coach": "المدرب", "when": "التاريخ والوقت",
           "duration": "المدة", "minutes": "{n} دقيقة", "meeting": "اللقاء", "online": "عبر الإنترنت",
           "in_person": "حضورياً", "link": "الرابط", "location": "المكان", "amount": "المبلغ",
           "reason": "السبب: {reason}", "no_refund": "لا يوجد", "hours": "{n} ساعة", "hour": "ساعة واحدة",
           "footer": "تصلك هذه الرسالة بسبب حجزك لدى {business}.",
           "status": {"pending_payment": "بانتظار الدفع", "pending_confirmation": "بانتظار الموافقة",
                      "confirmed": "مؤكد", "rescheduled": "تم تغيير موعده", "cancelled": "ملغى",
                      "completed": "مكتمل", "no_show": "لم يحضر"}},
}


def message(kind: str, language: str) -> dict[str, str]:
    texts = MESSAGES[kind]
    return texts.get(language) or texts["en"]


def labels(language: str) -> dict:
    return LABELS.get(language) or LABELS["en"]
