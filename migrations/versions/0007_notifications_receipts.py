"""notifications outbox, receipts, feed token, staff opt-in

Tables: notifications (the outbox of emails and receipt renderings), receipts and receipt_counters
(gapless numbers per year), worker_heartbeats. Columns: users.notify_new_bookings (staff opt-in),
coach_profiles.calendar_token (secret feed URL).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 11:37:30.261283

"""
from alembic import op
import sqlalchemy as sa

import bookingadmin.core.types


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('receipt_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_number >= 0', name=op.f('ck_receipt_counters_last_number')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_receipt_counters'))
    )
    op.create_table('worker_heartbeats',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('beat_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_heartbeats'))
    )
    op.create_table('receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('rendered_revision', sa.Integer(), nullable=False),
    sa.Column('issued_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rendered_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('sequence > 0', name=op.f('ck_receipts_sequence_positive')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_receipts_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_receipts_payment_id_payments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts')),
    sa.UniqueConstraint('number', name=op.f('uq_receipts_number')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_receipts_payment_id')),
    sa.UniqueConstraint('year', 'sequence', name='uq_receipts_year_sequence')
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.create_index('ix_receipts_booking', ['booking_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('queue', sa.String(length=20), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('receipt_id', sa.Integer(), nullable=True),
    sa.Column('depends_on_id', sa.Integer(), nullable=True),
    sa.Column('resent_from_id', sa.Integer(), nullable=True),
    sa.Column('recipient_user_id', sa.Integer(), nullable=True),
    sa.Column('recipient_role', sa.String(length=16), nullable=False),
    sa.Column('recipient_email', sa.String(length=254), nullable=True),
    sa.Column('recipient_name', sa.String(length=120), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('due_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=200), nullable=True),
    sa.Column('created_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('email', 'receipt')", name=op.f('ck_notifications_channel')),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')", name=op.f('ck_notifications_status')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_notifications_attempts')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_notifications_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['depends_on_id'], ['notifications.id'], name=op.f('fk_notifications_depends_on_id_notifications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['booking_events.id'], name=op.f('fk_notifications_event_id_booking_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['receipt_id'], ['receipts.id'], name=op.f('fk_notifications_receipt_id_receipts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['users.id'], name=op.f('fk_notifications_recipient_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resent_from_id'], ['notifications.id'], name=op.f('fk_notifications_resent_from_id_notifications'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('key', name=op.f('uq_notifications_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_booking', ['booking_id', 'id'], unique=False)
        batch_op.create_index('ix_notifications_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_notifications_status_due_at', ['status', 'due_at'], unique=False)

    with op.batch_alter_table('coach_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_coach_profiles_calendar_token'), ['calendar_token'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_new_bookings', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('notify_new_bookings')

    with op.batch_alter_table('coach_profiles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_coach_profiles_calendar_token'), type_='unique')
        batch_op.drop_column('calendar_token')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_status_due_at')
        batch_op.drop_index('ix_notifications_created_at')
        batch_op.drop_index('ix_notifications_booking')

    op.drop_table('notifications')
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index('ix_receipts_booking')

    op.drop_table('receipts')
    op.drop_table('worker_heartbeats')
    op.drop_table('receipt_counters')
