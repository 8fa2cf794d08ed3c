"""The endpoints, one module per area. Importing this package registers every route on `bp`."""
from . import auth, catalog, meta  # noqa: F401
