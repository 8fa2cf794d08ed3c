"""The one outbox (core/outbox): written in the caller's transaction, run after commit, claimed
once, retried with one policy, swept. Exercised with a kind registered here; each domain's own
kinds are tested in its folder (emails, receipt PDFs, Stripe calls)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bookingadmin.core import outbox
from bookingadmin.core.clock import utcnow
from bookingadmin.core.jobs import enqueue
from bookingadmin.core.outbox import OutboxJob, PermanentFailure, Skip
from bookingadmin.extensions import db

RAN: list[tuple] = []
CALLS: list[int] = []
BEHAVIOUR: dict[str, object] = {}


def record(*args):
    """A task for enqueue() tests."""
    RAN.append(args)


@outbox.register("tests.record", queue="default", label="Test")
def _record_job(job: OutboxJob, now) -> str | None:
    CALLS.append(job.payload["n"])
    outcome = BEHAVIOUR.get("outcome")
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


@pytest.fixture(autouse=True)
def _reset():
    RAN.clear(), CALLS.clear(), BEHAVIOUR.clear()


def _job(key: str) -> OutboxJob:
    db.session.expire_all()
    return db.session.scalar(select(OutboxJob).where(OutboxJob.key == key))


def test_enqueue_runs_after_commit_and_never_after_rollback(app, make_user):
    make_user()  # something to commit
    enqueue(f"{__name__}.record", 1)
    db.session.rollback()
    db.session.commit()
    assert RAN == []
    enqueue(f"{__name__}.record", 2)
    assert RAN == []  # not before the commit
    db.session.commit()
    assert RAN == [(2,)]
    db.session.commit()
    assert RAN == [(2,)]  # handed over once


def test_a_job_runs_inline_once_after_commit_and_never_after_rollback(app):
    outbox.add("tests.record", key="rolled-back", now=utcnow(), payload={"n": 1})
    db.session.rollback()
    assert _job("rolled-back") is None and CALLS == []
    outbox.add("tests.record", key="kept", now=utcnow(), payload={"n": 2})
    assert CALLS == []  # not before the commit
    db.session.commit()
    job = _job("kept")
    assert CALLS == [2] and (job.status, job.attempts) == ("done", 1)
    assert job.claimed_by == outbox.worker_name() and job.finished_at is not None
    assert outbox.run_job(job.id) == "skipped"  # a second run finds it done
    outbox.sweep(utcnow() + timedelta(hours=1))
    assert CALLS == [2]


def test_the_same_key_twice_is_one_job(app):
    first = outbox.add("tests.record", key="cause", now=utcnow(), payload={"n": 1})
    second = outbox.add("tests.record", key="cause", now=utcnow(), payload={"n": 2})
    db.session.commit()
    assert first.id == second.id and CALLS == [1]


def test_a_failure_is_retried_with_backoff_then_failed_for_good(app):
    app.config.update(OUTBOX_MAX_ATTEMPTS=3, OUTBOX_RETRY_SECONDS=60, OUTBOX_RETRY_MAX_SECONDS=3600)
    BEHAVIOUR["outcome"] = RuntimeError("the other end is down")
    start = utcnow()
    outbox.add("tests.record", key="flaky", now=start, payload={"n": 1})
    db.session.commit()
    job = _job("flaky")
    assert (job.status, job.attempts) == ("queued", 1)
    assert "RuntimeError: the other end is down" in job.last_error
    assert timedelta(seconds=55) < job.due_at - start < timedelta(seconds=70)  # the first wait
    outbox.sweep(job.due_at - timedelta(seconds=1))
    assert _job("flaky").attempts == 1  # not due yet: the sweep leaves it
    outbox.sweep(job.due_at + timedelta(seconds=1))
    job = _job("flaky")
    assert job.attempts == 2 and job.due_at - job.last_attempt_at == timedelta(seconds=120)  # doubled
    outbox.sweep(job.due_at + timedelta(seconds=1))
    job = _job("flaky")
    assert (job.status, job.attempts) == ("failed", 3) and len(CALLS) == 3
    assert outbox.retry_delay(10) == 3600  # capped


@pytest.mark.parametrize("outcome, status", [(Skip("no longer wanted"), "cancelled"),
                                             (PermanentFailure("refused for good"), "failed")],
                         ids=["skip-cancels", "permanent-fails-at-once"])
def test_skip_and_permanent_failure_end_the_job_at_once(app, outcome, status):
    BEHAVIOUR["outcome"] = outcome
    outbox.add("tests.record", key="ends", now=utcnow(), payload={"n": 1})
    db.session.commit()
    job = _job("ends")
    assert (job.status, job.attempts, job.last_error) == (status, 1, str(outcome))


def test_a_job_waits_for_the_one_it_depends_on(app):
    later = utcnow() + timedelta(hours=1)
    first = outbox.add("tests.record", key="first", now=utcnow(), payload={"n": 1}, due_at=later)
    outbox.add("tests.record", key="second", now=utcnow(), payload={"n": 2}, depends_on=first)
    db.session.commit()
    assert CALLS == [] and _job("second").status == "queued"  # waiting for "first"
    assert outbox.run_job(_job("second").id) == "waiting"
    outbox.sweep(later + timedelta(seconds=1))
    assert CALLS == [1, 2]  # "first" ran, then handed "second" over
    assert _job("second").status == "done"


def test_the_sweep_takes_back_a_job_a_dead_worker_left_running(app):
    BEHAVIOUR["outcome"] = RuntimeError("down")
    outbox.add("tests.record", key="abandoned", now=utcnow(), payload={"n": 1})
    db.session.commit()
    job = _job("abandoned")
    job.status, job.claimed_at, job.claimed_by = "running", utcnow() - timedelta(hours=1), "worker:gone:1"
    db.session.commit()
    BEHAVIOUR.clear()
    result = outbox.sweep(utcnow())
    assert result.reclaimed == 1 and result.handed_over == 1
    job = _job("abandoned")
    assert (job.status, job.attempts) == ("done", 2) and job.claimed_by == outbox.worker_name()


def test_an_unknown_kind_is_refused_when_written(app):
    with pytest.raises(LookupError, match="no handler"):
        outbox.add("tests.unknown", key="x", now=utcnow())


def test_every_domain_registers_its_kinds(app):
    assert {"notifications.email", "receipts.render", "payments.refund", "payments.capture",
            "payments.release"} <= set(outbox.kinds())
