"""working hours and date-override hours may end at 24:00 (stored as an end of 00:00)

The engine has always read an end of 00:00 as midnight at the end of the day; the checks on
weekly_hours and date_overrides refused it. "< '00:00:01'" matches 00:00 on PostgreSQL's time
and on SQLite's text times alike. A date override's hours now also need an end (NULL slipped
through before).

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-02 01:10:00

"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

ENDS_AFTER_START = "(end_time > start_time OR end_time < '00:00:01')"
SHAPE = ("(blocked AND start_time IS NULL AND end_time IS NULL) OR "
         "(NOT blocked AND start_time IS NOT NULL AND end_time IS NOT NULL AND {order})")


def _replace(table: str, name: str, condition: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(op.f(name), type_="check")
        batch.create_check_constraint(op.f(name), condition)


def upgrade():
    _replace("weekly_hours", "ck_weekly_hours_interval_order", ENDS_AFTER_START)
    _replace("date_overrides", "ck_date_overrides_shape", SHAPE.format(order=ENDS_AFTER_START))


def downgrade():
    _replace("weekly_hours", "ck_weekly_hours_interval_order", "end_time > start_time")
    _replace("date_overrides", "ck_date_overrides_shape",
             "(blocked AND start_time IS NULL AND end_time IS NULL) OR "
             "(NOT blocked AND start_time IS NOT NULL AND end_time > start_time)")
