"""Every model, imported in one place so SQLAlchemy and Alembic see the whole schema."""
from .auth.models import User  # noqa: F401
from .availability.models import DateOverride, Slot, WeeklyHours  # noqa: F401
from .bookings.models import Booking, BookingEvent  # noqa: F401
from .catalog.models import CoachProfile, ConsultationType, DurationOption  # noqa: F401
