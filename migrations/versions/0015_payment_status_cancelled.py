"""a payment's status is spelled "cancelled", like every other status

Stripe spells it "canceled"; that word now stays at the gateway (payments/gateway.py maps it).
Stored rows are rewritten and the check on payments.status follows. The check is dropped first
and made again after the rewrite (on SQLite each step copies the table, and a copy must pass the
check it is made with).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 02:20:00

"""
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

STATUSES = "status IN ('pending', 'requires_action', 'authorized', 'succeeded', 'failed', '{}')"


def _respell(old: str, new: str) -> None:
    with op.batch_alter_table('payments') as batch:
        batch.drop_constraint(op.f('ck_payments_status'), type_='check')
    op.execute(f"UPDATE payments SET status = '{new}' WHERE status = '{old}'")
    with op.batch_alter_table('payments') as batch:
        batch.create_check_constraint(op.f('ck_payments_status'), STATUSES.format(new))


def upgrade():
    _respell('canceled', 'cancelled')


def downgrade():
    _respell('cancelled', 'canceled')
