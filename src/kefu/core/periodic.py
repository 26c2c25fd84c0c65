"""Periodic jobs: apps register idempotent sweeps (close idle chats, complaint SLA reminders …) from
``AppConfig.ready()``; ``kefu worker`` runs whichever are due. Running a job twice must change
nothing the second time, so several workers, a restart or a cron run beside it are all safe."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import close_old_connections

log = logging.getLogger(__name__)


@dataclass
class PeriodicJob:
    name: str
    every_seconds: int
    run: Callable[[], object]
    next_due: float = field(default=0.0)


_JOBS: dict[str, PeriodicJob] = {}


def register(name: str, *, every_seconds: int, run: Callable[[], object]) -> None:
    if every_seconds < 1:
        raise ValueError(f"{name}: every_seconds must be at least 1")
    _JOBS[name] = PeriodicJob(name=name, every_seconds=every_seconds, run=run)


def jobs() -> list[PeriodicJob]:
    return sorted(_JOBS.values(), key=lambda j: j.name)


def run_due(*, now: float | None = None) -> list[str]:
    """Run every job whose time has come; a failing job is logged and retried at its next turn."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in jobs():
        if job.next_due > now:
            continue
        close_old_connections()
        try:
            result = job.run()
            log.info("periodic job %s done: %s", job.name, result)
        except Exception:
            log.exception("periodic job %s failed", job.name)
        job.next_due = now + job.every_seconds
        ran.append(job.name)
    return ran
