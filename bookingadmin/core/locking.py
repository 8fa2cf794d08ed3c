"""The one owner of database locks that span a decision and the write that depends on it.

Rows: `lock_row(instance)` reloads one row under a row lock (a booking moving on from one
state). A coach's time: every writer of it (new bookings, reschedules, a change of coach, slot
and date edits, later calendar sync) takes `lock_coach_time(coach_id)` before it reads what is
free, so "is there a seat left?" and "take it" are one step. PostgreSQL: a transaction-scoped
advisory lock, `pg_advisory_xact_lock(space, key)`, in one of the key spaces below; SQLite: the
database's single write lock (BEGIN IMMEDIATE). Either is held until the transaction ends.

A lock is only worth its transaction, so these functions refuse to run outside one: the lock
joins the session's transaction (SQLAlchemy begins it on first use; the lock then lasts until
the caller commits or rolls back) and is refused on a connection that is not in a transaction
or runs in autocommit, where it would end at once.

Avoiding deadlocks: take at most one coach lock per transaction where you can; when you need
two (moving a booking between coaches), take them in ascending coach id order.
"""
from __future__ import annotations

from sqlalchemy import text

from ..extensions import db

# Advisory-lock key spaces: the first argument of pg_advisory_xact_lock(space, key). One
# number per kind of thing locked; never reuse one for another kind.
COACH_TIME = 2881  # key: coach_profiles.id


class LockOutsideTransaction(RuntimeError):
    """A lock was asked for with no transaction to hold it: a programming error, not user input."""


def _transaction_connection():
    """The session's connection, after checking that a transaction will hold the lock."""
    connection = db.session.connection()  # joins, or begins, the session's transaction
    if not connection.in_transaction():
        raise LockOutsideTransaction("Take a lock inside the session's transaction")
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        raise LockOutsideTransaction("An autocommit connection would release the lock at once")
    return connection


def lock_for_write() -> None:
    """SQLite: take the database's write lock now, so read-then-write is one serial step.

    PostgreSQL needs nothing here (its callers lock rows or advisory keys); it still checks
    that a transaction is open.
    """
    connection = _transaction_connection()
    if connection.dialect.name == "sqlite" and not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_row(instance) -> None:
    """Reload a mapped row under a row lock, so two transactions cannot both act on one state.

    PostgreSQL: SELECT ... FOR UPDATE; SQLite: the write lock. Pending changes are flushed first.
    """
    db.session.flush()
    if _transaction_connection().dialect.name == "postgresql":
        db.session.refresh(instance, with_for_update=True)
    else:
        lock_for_write()
        db.session.refresh(instance)


def lock_coach_time(coach_id: int) -> None:
    """Hold one coach's time still (bookings, holds, slots, blocked dates) until the transaction ends."""
    _advisory(COACH_TIME, coach_id)


def _advisory(space: int, key: int) -> None:
    connection = _transaction_connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": space, "key": int(key)})
    else:
        lock_for_write()
