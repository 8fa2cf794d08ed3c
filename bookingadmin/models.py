"""Every model, imported in one place so SQLAlchemy and Alembic see the whole schema."""
from .domains import import_models

import_models()
