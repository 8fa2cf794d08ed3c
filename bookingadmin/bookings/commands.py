"""flask expire-holds, flask rotate-encryption-keys."""
from __future__ import annotations

import click
from sqlalchemy import select, update

from ..core.clock import utcnow
from ..core.crypto import reencrypt
from ..extensions import db
from .lifecycle import expire_holds
from .models import Booking

ROTATION_BATCH = 200


@click.command("expire-holds")
def expire_holds_command():
    """Cancel unpaid bookings whose payment hold ran out, freeing their time (run every minute)."""
    count = expire_holds(utcnow())
    db.session.commit()
    click.echo(f"Released {count} expired payment hold{'s' if count != 1 else ''}")


@click.command("rotate-encryption-keys")
@click.option("--batch-size", default=ROTATION_BATCH, show_default=True, help="Bookings per transaction.")
def rotate_encryption_keys_command(batch_size: int):
    """Re-encrypt every booking's intake details under the newest key in DATA_ENCRYPTION_KEYS.

    Put the new key first in DATA_ENCRYPTION_KEYS (keep the old ones after it), run this, then
    drop the old keys. Each batch commits on its own, so an interrupted run can simply be re-run.
    """
    total = db.session.scalar(select(db.func.count()).where(Booking.intake_encrypted.is_not(None)))
    click.echo(f"Re-encrypting the intake details of {total} booking{'s' if total != 1 else ''}")
    done, last_id = 0, 0
    while True:
        rows = db.session.execute(
            select(Booking.id, Booking.intake_encrypted)
            .where(Booking.intake_encrypted.is_not(None), Booking.id > last_id)
            .order_by(Booking.id).limit(batch_size)).all()
        if not rows:
            break
        for booking_id, token in rows:
            # updated_at kept as it is: a new key is not a change to the booking.
            db.session.execute(update(Booking).where(Booking.id == booking_id)
                               .values(intake_encrypted=reencrypt(token), updated_at=Booking.updated_at))
        db.session.commit()
        done += len(rows)
        last_id = rows[-1][0]
        click.echo(f"  {done}/{total}")
    click.echo(f"Done: {done} re-encrypted under the newest key")
