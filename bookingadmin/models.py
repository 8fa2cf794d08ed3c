"""Every model, imported in one place so SQLAlchemy and Alembic see the whole schema."""
from .core.outbox import models as _outbox_models  # noqa: F401  (plumbing, not a domain)
from .domains import import_models

import_models()
