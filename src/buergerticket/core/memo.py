"""Short-lived, per-process memory of configuration every intake reads again.

Opening a case looks up the same few configuration rows each time (the fallback
service, the published process version, the active routing model, the
organisation's own addresses). Building those through the ORM costs more than
the rest of the intake, so they are kept for a few seconds.

Staleness is bounded: any save or delete of a configuration model clears every
memo of this process at once (``invalidate_on``), and other processes see a
change after at most ``seconds``. Memos hold configuration only, never case data.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
_memos: list[Memo[Any]] = []
_lock = threading.Lock()


class Memo(Generic[T]):
    def __init__(self, name: str, *, seconds: float = 10.0, keep_none: bool = False):
        """``keep_none``: remember "nothing there" too. Off by default, so a missing
        setting that an administrator just added is found at the next attempt."""
        self.name = name
        self.seconds = seconds
        self.keep_none = keep_none
        self._values: dict[Hashable, tuple[float, T]] = {}
        with _lock:
            _memos.append(self)

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        now = time.monotonic()
        hit = self._values.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        if value is not None or self.keep_none:
            self._values[key] = (now + self.seconds, value)
        return value

    def clear(self) -> None:
        self._values.clear()


def clear_all(*args: Any, **kwargs: Any) -> None:
    with _lock:
        for memo in _memos:
            memo.clear()


def invalidate_on(*models: type[Model]) -> None:
    """Clear every memo whenever one of ``models`` is saved or deleted in this process."""
    for model in models:
        uid = f"memo-{model._meta.label}"
        post_save.connect(clear_all, sender=model, dispatch_uid=uid + "-save", weak=False)
        post_delete.connect(clear_all, sender=model, dispatch_uid=uid + "-delete", weak=False)
