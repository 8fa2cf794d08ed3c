"""api tokens

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import bookingadmin.core.types


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('created_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_api_tokens_user', ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_api_tokens_user')

    op.drop_table('api_tokens')
