"""The worker process: runs registered jobs on their interval, forever.

Several workers may run at once (scale-out on PostgreSQL): every job claims
its rows with ``SKIP LOCKED`` or guards them with a database flag, so they
share work without doing it twice.
"""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType

from django.db import close_old_connections

from buergerticket.core import jobs

log = logging.getLogger("buergerticket.worker")


class Worker:
    def __init__(self, tick_seconds: float = 1.0, *, manage_connections: bool = True):
        """``manage_connections=False`` keeps the caller's database connection open
        (tests run jobs inside their own transaction)."""
        self.tick_seconds = tick_seconds
        self.manage_connections = manage_connections
        self.next_run: dict[str, float] = {}
        self.stopping = False

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        log.info("Worker wird beendet …")
        self.stopping = True

    def run_due(self, now: float | None = None) -> list[str]:
        """Run every job whose time has come; returns the names that ran."""
        now = time.monotonic() if now is None else now
        ran = []
        for job in jobs.registered():
            if self.next_run.get(job.name, 0.0) > now:
                continue
            self.next_run[job.name] = now + job.every_seconds
            if self.manage_connections:
                close_old_connections()
            try:
                job.func()
            except Exception:
                # One failing job (a mail server down, say) must not stop the others.
                log.exception("Job %s ist fehlgeschlagen", job.name)
            ran.append(job.name)
        return ran

    def run_forever(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        log.info(
            "Worker läuft mit %d Jobs: %s",
            len(jobs.registered()),
            ", ".join(j.name for j in jobs.registered()),
        )
        while not self.stopping:
            self.run_due()
            time.sleep(self.tick_seconds)
