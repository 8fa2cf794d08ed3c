"""iCalendar files for bookings and the per-coach secret feed."""
