"""one outbox for all work after commit

Table outbox_jobs (kind, key, payload, due time, status, attempts, claim, last error) for every
kind of job: emails, receipt PDFs, Stripe refunds / captures / releases. The notifications table
keeps only what is particular to an email and points at its job (job_id).

Data: each notifications row becomes a job with the same id (emails: "notifications.email";
receipt renderings: "receipts.render", whose notifications rows are then removed); pending card
refunds and payments with a pending capture/release get a job each, so the one sweep carries
them out (they were retried by `flask payments-retry` before). Downgrade moves email state back
and drops receipt-rendering and Stripe jobs (PDFs are rendered on demand; Stripe calls would wait
for the old `payments-retry`).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:56:14.671894

"""
from alembic import op
import sqlalchemy as sa

from datetime import datetime, timezone

import bookingadmin.core.types
from bookingadmin.core.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

STATUS_TO_JOB = {"sending": "running", "sent": "done"}
STATUS_FROM_JOB = {"running": "sending", "done": "sent"}
OLD_COLUMNS = ("id", "key", "channel", "kind", "queue", "booking_id", "receipt_id", "depends_on_id", "payload",
               "status", "attempts", "sent_at", "last_error", "message_id")
OLD_TIMES = ("due_at", "claimed_at", "last_attempt_at", "created_at", "updated_at")


def _jobs_table():
    return sa.table('outbox_jobs', *(sa.column(n) for n in (
        'id', 'kind', 'key', 'queue', 'booking_id', 'depends_on_id', 'status', 'attempts', 'claimed_by',
        'last_error')), sa.column('payload', sa.JSON()),
        *(sa.column(n, UTCDateTime()) for n in ('due_at', 'claimed_at', 'last_attempt_at', 'finished_at',
                                               'created_at', 'updated_at')))


def _old_notifications():
    return sa.table('notifications', *(sa.column(n) for n in OLD_COLUMNS if n != "payload"),
                    sa.column('payload', sa.JSON()), sa.column('job_id'),
                    *(sa.column(n, UTCDateTime()) for n in OLD_TIMES))


def _job_from(row) -> dict:
    status = STATUS_TO_JOB.get(row.status, row.status)
    if row.channel == "receipt":
        kind, payload = "receipts.render", {"receipt_id": row.receipt_id, **(row.payload or {})}
    else:
        kind, payload = "notifications.email", {"notification_id": row.id}
    finished = row.sent_at if status == "done" else (row.updated_at if status in ("failed", "cancelled") else None)
    return {"id": row.id, "kind": kind, "key": row.key, "queue": row.queue, "payload": payload,
            "booking_id": row.booking_id, "depends_on_id": None, "status": status, "attempts": row.attempts,
            "due_at": row.due_at, "claimed_at": row.claimed_at, "claimed_by": None,
            "last_attempt_at": row.last_attempt_at, "finished_at": finished, "last_error": row.last_error,
            "created_at": row.created_at, "updated_at": row.updated_at}


def _move_rows_in(bind) -> None:
    jobs, old = _jobs_table(), _old_notifications()
    rows = bind.execute(sa.select(old).order_by(old.c.id)).all()
    if rows:
        bind.execute(jobs.insert(), [_job_from(row) for row in rows])
    for row in rows:
        if row.depends_on_id is not None:
            bind.execute(jobs.update().where(jobs.c.id == row.id).values(depends_on_id=row.depends_on_id))
    bind.execute(old.update().values(job_id=old.c.id))
    _stripe_jobs(bind, jobs)
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT setval(pg_get_serial_sequence('outbox_jobs', 'id'), "
                             "COALESCE((SELECT MAX(id) FROM outbox_jobs), 0) + 1, false)"))


def _stripe_jobs(bind, jobs) -> None:
    """Pending card refunds and captures/releases not yet done: the sweep carries them out now."""
    refunds = bind.execute(sa.text(
        "SELECT r.id, r.booking_id FROM refunds r JOIN payments p ON p.id = r.payment_id "
        "WHERE r.status = 'pending' AND p.method = 'stripe'")).all()
    actions = bind.execute(sa.text(
        "SELECT id, booking_id, pending_action FROM payments WHERE pending_action IS NOT NULL")).all()
    moment = datetime.now(timezone.utc)
    values = [{"kind": "payments.refund", "key": f"refund-{r.id}", "payload": {"refund_id": r.id},
               "booking_id": r.booking_id} for r in refunds]
    values += [{"kind": f"payments.{a.pending_action}", "key": f"payment-{a.id}-{a.pending_action}",
                "payload": {"payment_id": a.id}, "booking_id": a.booking_id} for a in actions]
    for value in values:
        value.update(queue="default", status="queued", attempts=0, due_at=moment, created_at=moment,
                     updated_at=moment)
        bind.execute(jobs.insert().values(**value))


def upgrade():
    op.create_table('outbox_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=True),
    sa.Column('queue', sa.String(length=20), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('depends_on_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('due_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('last_attempt_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'cancelled')", name=op.f('ck_outbox_jobs_status')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_jobs_attempts')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_outbox_jobs_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['depends_on_id'], ['outbox_jobs.id'], name=op.f('fk_outbox_jobs_depends_on_id_outbox_jobs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_jobs')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_jobs_key'))
    )
    with op.batch_alter_table('outbox_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_jobs_booking', ['booking_id', 'id'], unique=False)
        batch_op.create_index('ix_outbox_jobs_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_outbox_jobs_kind', ['kind'], unique=False)
        batch_op.create_index('ix_outbox_jobs_status_due_at', ['status', 'due_at'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_id', sa.Integer(), nullable=True))
    _move_rows_in(op.get_bind())
    op.execute("DELETE FROM notifications WHERE channel = 'receipt'")

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('job_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_notifications_status_due_at'))
        batch_op.drop_constraint(batch_op.f('uq_notifications_key'), type_='unique')
        batch_op.drop_constraint(batch_op.f('ck_notifications_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_notifications_channel'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_notifications_attempts'), type_='check')
        batch_op.create_unique_constraint(batch_op.f('uq_notifications_job_id'), ['job_id'])
        batch_op.drop_constraint(batch_op.f('fk_notifications_depends_on_id_notifications'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_notifications_job_id_outbox_jobs'), 'outbox_jobs', ['job_id'], ['id'], ondelete='CASCADE')
        for column in ('depends_on_id', 'channel', 'due_at', 'last_attempt_at', 'last_error', 'updated_at', 'queue',
                       'key', 'attempts', 'claimed_at', 'status'):
            batch_op.drop_column(column)


def _move_rows_out(bind) -> None:
    jobs, old = _jobs_table(), _old_notifications()
    rows = bind.execute(sa.select(jobs).where(jobs.c.kind == 'notifications.email')).all()
    for job in rows:
        bind.execute(old.update().where(old.c.job_id == job.id).values(
            key=job.key, channel='email', queue=job.queue, status=STATUS_FROM_JOB.get(job.status, job.status),
            attempts=job.attempts, due_at=job.due_at, claimed_at=job.claimed_at,
            last_attempt_at=job.last_attempt_at, last_error=job.last_error, updated_at=job.updated_at))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False, server_default='queued'))
        batch_op.add_column(sa.Column('claimed_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('queue', sa.String(length=20), nullable=False, server_default='emails'))
        batch_op.add_column(sa.Column('updated_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('last_attempt_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('due_at', bookingadmin.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('channel', sa.String(length=10), nullable=False, server_default='email'))
        batch_op.add_column(sa.Column('depends_on_id', sa.Integer(), nullable=True))
    _move_rows_out(op.get_bind())
    op.execute("UPDATE notifications SET updated_at = created_at WHERE updated_at IS NULL")
    op.execute("UPDATE notifications SET due_at = created_at WHERE due_at IS NULL")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=bookingadmin.core.types.UTCDateTime(timezone=True), nullable=False)
        batch_op.alter_column('due_at', existing_type=bookingadmin.core.types.UTCDateTime(timezone=True), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_notifications_job_id_outbox_jobs'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_notifications_depends_on_id_notifications'), 'notifications', ['depends_on_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_constraint(batch_op.f('uq_notifications_job_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_notifications_key'), ['key'])
        batch_op.create_check_constraint(batch_op.f('ck_notifications_status'), "status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')")
        batch_op.create_check_constraint(batch_op.f('ck_notifications_channel'), "channel IN ('email', 'receipt')")
        batch_op.create_check_constraint(batch_op.f('ck_notifications_attempts'), 'attempts >= 0')
        batch_op.create_index(batch_op.f('ix_notifications_status_due_at'), ['status', 'due_at'], unique=False)
        batch_op.drop_column('job_id')

    with op.batch_alter_table('outbox_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_jobs_status_due_at')
        batch_op.drop_index('ix_outbox_jobs_kind')
        batch_op.drop_index('ix_outbox_jobs_created_at')
        batch_op.drop_index('ix_outbox_jobs_booking')

    op.drop_table('outbox_jobs')
