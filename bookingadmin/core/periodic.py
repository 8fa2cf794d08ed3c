"""Periodic upkeep the worker runs between jobs: sweep the outbox (which also retries Stripe calls),
expire holds, plan reminders, refresh analytics. Each domain registers its own task in its plugin.py, so the worker
knows none of them by name.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask import Flask

from ..extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    run: Callable[[datetime], object]  # takes `now`; commits its own work
    every_seconds: int


def register_periodic(app: Flask, name: str, run: Callable[[datetime], object], every_seconds: int) -> None:
    app.extensions.setdefault("bookingadmin_periodic", []).append(PeriodicTask(name, run, every_seconds))


def periodic_tasks(app: Flask) -> list[PeriodicTask]:
    return list(app.extensions.get("bookingadmin_periodic", []))


def run_due_tasks(app: Flask, now: datetime, last_runs: dict[str, datetime]) -> list[str]:
    """Run each task whose interval has passed since its last run (all of them the first time).

    One failing task is logged and rolled back; the others still run.
    """
    ran = []
    for task in periodic_tasks(app):
        last = last_runs.get(task.name)
        if last is not None and (now - last).total_seconds() < task.every_seconds:
            continue
        try:
            task.run(now)
            db.session.commit()
            ran.append(task.name)
        except Exception:  # noqa: BLE001 - the worker must outlive a failing task
            log.exception("periodic task %s failed", task.name)
            db.session.rollback()
        last_runs[task.name] = now
    return ran
