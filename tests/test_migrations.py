"""One Alembic history, applied to empty SQLite and PostgreSQL databases, matching the models."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate

from bookingadmin.extensions import db


def test_history_has_one_head(app):
    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_migrated_schema_matches_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
        assert {"users", "consultation_types", "bookings", "booking_events"} <= set(sa.inspect(conn).get_table_names())


def test_migrations_run_down_and_up_again(app):
    from flask_migrate import downgrade, upgrade

    downgrade(revision="base")
    assert "bookings" not in sa.inspect(db.engine).get_table_names()
    upgrade()
    assert "bookings" in sa.inspect(db.engine).get_table_names()


def test_migrate_extension_is_configured(app):
    assert isinstance(app.extensions["migrate"].migrate, Migrate)
