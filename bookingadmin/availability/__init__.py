"""When coaches can be booked: weekly hours, date overrides, explicit slots, and the pure engine."""
