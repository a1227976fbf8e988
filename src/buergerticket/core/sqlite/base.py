"""Django's SQLite backend with a write queue that hands over at once.

SQLite lets one writer at a time hold the database. A second writer's
``BEGIN IMMEDIATE`` does not wait for the lock to be released: SQLite's busy
handler sleeps 1, 2, 5, 10 … 100 ms and tries again. With transactions of a few
milliseconds the waiting writer oversleeps most hand-overs, and two processes
(web and worker, or ``ingest-mail --jobs 2``) together got less done than the
CPU allowed. Here every write transaction of this installation (each outermost
``atomic`` block) first takes an exclusive ``flock`` on ``<database>.writelock``;
the kernel wakes the next waiter the moment the previous transaction ends, and
the database lock is then free.

A single statement outside ``atomic`` (autocommit) and other programs writing
to the file (the ``sqlite3`` shell, a backup tool) do not queue; they wait
through SQLite's busy timeout as before.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue_fd: int | None = None
        self._queue_held = False

    def _queue_path(self) -> str | None:
        if self.is_in_memory_db():
            return None  # nobody else can write to it
        return f"{self.settings_dict['NAME']}.writelock"

    def _enter_queue(self) -> None:
        path = self._queue_path()
        if path is None or self._queue_held:
            return
        if self._queue_fd is None:
            self._queue_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._queue_fd, fcntl.LOCK_EX)
        self._queue_held = True

    def _leave_queue(self) -> None:
        if self._queue_held and self._queue_fd is not None:
            self._queue_held = False
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        self._enter_queue()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private in django-stubs
        except BaseException:
            self._leave_queue()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._leave_queue()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._leave_queue()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._leave_queue()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None
