"""core.locking: a coach's lock keeps other writers out until the transaction ends, and it refuses
to be taken where no transaction would hold it."""
from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from bookingadmin.core import locking
from bookingadmin.extensions import db


def _other_writer_may_lock(coach_id: int) -> bool:
    """Whether a second connection could take the same coach's lock right now (without waiting)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as other:
            taken = other.execute(sa.text("SELECT pg_try_advisory_xact_lock(:space, :key)"),
                                  {"space": locking.COACH_TIME, "key": coach_id}).scalar()
            other.rollback()
            return bool(taken)
    other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_a_coachs_lock_is_held_until_the_transaction_ends(app):
    db.session.execute(sa.text("SELECT 1"))
    assert _other_writer_may_lock(41)
    locking.lock_coach_time(41)
    assert not _other_writer_may_lock(41)
    if db.engine.dialect.name == "postgresql":
        assert _other_writer_may_lock(42)  # another coach's time is not held
    db.session.commit()
    assert _other_writer_may_lock(41)
    locking.lock_coach_time(41)  # the lock joins (begins) the session's next transaction
    assert not _other_writer_may_lock(41)
    db.session.rollback()
    assert _other_writer_may_lock(41)


def test_the_lock_refuses_an_autocommit_connection(app):
    db.session.rollback()
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    with pytest.raises(locking.LockOutsideTransaction):
        locking.lock_coach_time(41)
    db.session.rollback()
    assert _other_writer_may_lock(41)
