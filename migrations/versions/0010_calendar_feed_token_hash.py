"""calendar feed secrets stored hashed

coach_profiles.calendar_token (the feed secret in clear) becomes calendar_token_hash (its SHA-256,
hex), like API tokens. Existing secrets are hashed here, so the URLs coaches already subscribed
to keep working. Downgrading cannot recover a secret from its hash: feeds are then unset and
coaches make new URLs.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-02 01:30:00

"""
import hashlib

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

coach_profiles = sa.table('coach_profiles', sa.column('id', sa.Integer), sa.column('calendar_token', sa.String),
                          sa.column('calendar_token_hash', sa.String))


def upgrade():
    with op.batch_alter_table('coach_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token_hash', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(coach_profiles.c.id, coach_profiles.c.calendar_token)
                              .where(coach_profiles.c.calendar_token.is_not(None))).all()
    for coach_id, token in rows:
        connection.execute(coach_profiles.update().where(coach_profiles.c.id == coach_id)
                           .values(calendar_token_hash=hashlib.sha256(token.encode()).hexdigest()))
    with op.batch_alter_table('coach_profiles', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_coach_profiles_calendar_token_hash'), ['calendar_token_hash'])
        batch_op.drop_constraint(batch_op.f('uq_coach_profiles_calendar_token'), type_='unique')
        batch_op.drop_column('calendar_token')


def downgrade():
    with op.batch_alter_table('coach_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_coach_profiles_calendar_token'), ['calendar_token'])
        batch_op.drop_constraint(batch_op.f('uq_coach_profiles_calendar_token_hash'), type_='unique')
        batch_op.drop_column('calendar_token_hash')
