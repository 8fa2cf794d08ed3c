"""The endpoints, one module per area. Importing this package registers every route on `bp`."""
from . import auth, availability, bookings, catalog, meta, slots  # noqa: F401
