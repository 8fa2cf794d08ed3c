"""Form fields shared by the back office and the customer pages."""
from wtforms import StringField


class CommaSeparatedListField(StringField):
    """A list of short strings typed as `a, b, c` (features, languages, specialties)."""

    def _value(self) -> str:
        return ", ".join(self.data or []) if isinstance(self.data, list) else (self.data or "")

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        self.data = [part.strip() for part in raw.split(",") if part.strip()]
