"""Which function does each kind of outbox work. Each domain registers its kinds in its own jobs.py:

    @register("payments.refund", queue="default", label="Stripe refund")
    def send_refund(job: OutboxJob, now: datetime) -> str | None: ...

A handler takes the claimed job and `now`, does the work in the session (the runner commits), and
returns an optional note for the delivery log. It must be safe to run twice (the claim makes that
rare, a worker killed after the work but before the commit makes it possible): check the domain's
own row first (refund already succeeded, PDF already current, email already has a Message-ID).
It raises `Skip` when the work is no longer wanted, `PermanentFailure` when trying again cannot
help; any other exception is retried with the one backoff policy (runner.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

Handler = Callable[..., "str | None"]


class Skip(Exception):
    """The work is no longer wanted (a reminder for a cancelled booking): the job is cancelled."""


class PermanentFailure(Exception):
    """Trying again cannot help (the mail server refused the address): the job fails now."""


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Handler
    queue: str
    label: str
    describe: Callable | None = None  # job -> short text for the delivery log ("to a@b.c")


_KINDS: dict[str, Kind] = {}


def register(name: str, *, queue: str = "default", label: str | None = None, describe: Callable | None = None):
    """Decorator: `handler` does the work of jobs of kind `name`, on RQ queue `queue`."""
    def decorate(handler: Handler) -> Handler:
        _KINDS[name] = Kind(name, handler, queue, label or name, describe)
        return handler

    return decorate


def kind(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no handler is registered for outbox kind {name!r}") from None


def kinds() -> dict[str, Kind]:
    return dict(_KINDS)
