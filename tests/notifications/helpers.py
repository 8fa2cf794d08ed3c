"""Helpers for tests of background work: an in-process RQ burst worker, reading emails back."""
from __future__ import annotations

import email
import email.policy
from pathlib import Path

from tests.support.services import free_port, port_open


def run_burst_worker(app) -> None:
    """An RQ worker (with its scheduler) in this process: runs everything queued, then returns."""
    from rq import SimpleWorker

    from bookingadmin.core.jobs import redis_connection, rq_queue

    queues = [rq_queue(name, app) for name in app.config["RQ_QUEUES"]]
    SimpleWorker(queues, connection=redis_connection(app)).work(burst=True, with_scheduler=True,
                                                                logging_level="WARNING")


def queued_job_count(app) -> int:
    from bookingadmin.core.jobs import rq_queue

    return sum(rq_queue(name, app).count for name in app.config["RQ_QUEUES"])


def read_outbox(app) -> list[email.message.EmailMessage]:
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))]


def by_kind(messages, kind: str) -> list:
    return [m for m in messages if m["X-Bookingadmin-Kind"] == kind]


def body_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def body_html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def attachments(message) -> dict[str, tuple[str, bytes]]:
    found = {}
    for part in message.iter_attachments():
        found[part.get_filename()] = (part.get_content_type(), part.get_payload(decode=True))
    return found


def closed_port() -> int:
    port = free_port()
    assert not port_open("127.0.0.1", port)
    return port
