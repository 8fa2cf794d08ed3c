"""Form fields shared by the back office and the customer pages."""
from wtforms import StringField


class CommaSeparatedListField(StringField):
    """A list of short strings typed as `a, b, c` (features, languages, specialties)."""

    def _value(self) -> str:
        return ", ".join(self.data or []) if isinstance(self.data, list) else (self.data or "")

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        self.data = [part.strip() for part in raw.split(",") if part.strip()]


def e164_phone(form, field) -> None:
    """WTForms validator: the number normalised to E.164 (+9665...), or the reason it is not one."""
    from wtforms.validators import ValidationError

    from .validation import normalize_phone

    if not field.data:
        return
    try:
        field.data = normalize_phone(field.data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def iana_time_zone(form, field) -> None:
    """WTForms validator: an IANA zone name such as Asia/Riyadh."""
    from flask_babel import gettext
    from wtforms.validators import ValidationError

    from .validation import is_timezone

    if not is_timezone(field.data):
        raise ValidationError(gettext("Choose a time zone such as Asia/Riyadh or Africa/Cairo"))


def person_name(form, field) -> None:
    """WTForms validator: a name on one line without NUL (core.validation.check_person_name)."""
    from wtforms.validators import ValidationError

    from .validation import check_person_name

    try:
        field.data = check_person_name(field.data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
