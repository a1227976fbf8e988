"""Periodic jobs the worker runs. Apps register theirs in ``AppConfig.ready``.

Jobs must be idempotent: after a crash or restart the worker simply runs them
again, so "exactly once" comes from the job's own bookkeeping in the database
(e.g. ``Case.escalated_at``), never from the scheduler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    func: Callable[[], Any]


_jobs: dict[str, Job] = {}


def register(name: str, every_seconds: float) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    def decorate(func: Callable[[], Any]) -> Callable[[], Any]:
        _jobs[name] = Job(name, every_seconds, func)
        return func

    return decorate


def registered() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def get(name: str) -> Job:
    return _jobs[name]
