"""outbox jobs remember their first try (the retry horizon counts from it); idempotency keys of API calls

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-02 02:00:00

"""
import sqlalchemy as sa
from alembic import op

import bookingadmin.core.types

revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_jobs') as batch:
        batch.add_column(sa.Column('first_attempt_at', bookingadmin.core.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_jobs') as batch:
        batch.drop_column('first_attempt_at')
