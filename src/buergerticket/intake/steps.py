"""Intake work written as steps, so that many intakes can share one transaction.

On SQLite one writer at a time holds the database, and every transaction
another process commits makes a connection read the pages it needs again. Bulk
intake (``ingest-mail`` over a folder of mails) therefore commits in groups: the
reads, checks and file writes of several intakes run first, without the write
lock, then their writes run one after the other in a single transaction (one
savepoint each), and only after that commit does anyone learn of the outcome.

An intake that can take part is a generator. It yields

- :class:`Claim` with the keys its decision depends on (sender, Message-IDs,
  the case it is about to change) *before* it reads them; the driver answers
  ``True`` when it committed the group first, because an earlier member had
  claimed one of those keys and may have changed what the intake is about to read;
- :data:`WRITE` right before its transaction: the driver resumes it inside the
  group's transaction;
- :data:`COMMIT` right after its transaction: the driver resumes it once the
  group has committed (what follows, e.g. automation, needs the committed case).

and finally returns its result. :func:`run` drives one intake straight through,
which is what every single delivery (portal, API, IMAP, LMTP) does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db import InterfaceError, OperationalError, transaction

log = logging.getLogger("buergerticket.intake")

T = TypeVar("T")


@dataclass(frozen=True)
class Claim:
    keys: frozenset[str]


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


WRITE = _Marker("WRITE")
COMMIT = _Marker("COMMIT")

Step = Claim | _Marker
Steps = Generator[Step, bool, T]


def claim(*keys: str) -> Claim:
    return Claim(frozenset(key for key in keys if key))


def run(steps: Steps[T]) -> T:
    """Drive one intake straight through: every transaction commits on its own."""
    try:
        next(steps)
        while True:
            steps.send(False)
    except StopIteration as stop:
        return stop.value


@dataclass
class _Member(Generic[T]):
    start: Callable[[], Steps[T]]
    steps: Steps[T]
    finished: bool = False
    result: T | None = None

    def finish(self, result: T) -> None:
        self.finished, self.result = True, result


class GroupCommit(Generic[T]):
    """Runs intakes in groups of up to ``size`` sharing one write transaction.

    ``done`` receives each result, in the order the intakes were added, once
    what it reports is committed. If the group's transaction fails for a reason
    other than the database being away (:class:`OperationalError` /
    :class:`InterfaceError` reach the caller: nothing was committed), each
    member is done again on its own, so one bad intake cannot take the others
    with it.
    """

    def __init__(self, size: int, done: Callable[[T], None]) -> None:
        self.size = size
        self.done = done
        self._claimed: set[str] = set()
        self._members: list[_Member[T]] = []

    def add(self, start: Callable[[], Steps[T]]) -> None:
        """Run an intake up to its transaction; ``start()`` creates its steps."""
        member = _Member(start, start())
        self._members.append(member)
        try:
            step = next(member.steps)
            while step is not WRITE:
                conflict = False
                if isinstance(step, Claim):
                    conflict = not self._claimed.isdisjoint(step.keys)
                    if conflict:
                        self._commit(self._members[:-1])
                        self._members = [member]
                    self._claimed.update(step.keys)
                # COMMIT before any WRITE: it committed on its own, nothing to wait for.
                step = member.steps.send(conflict)
        except StopIteration as stop:
            member.finish(stop.value)
        waiting = sum(not m.finished for m in self._members)
        if waiting == 0 or waiting >= self.size:
            self.flush()

    def flush(self) -> None:
        """Write and commit the waiting intakes, let each finish, report all."""
        members, self._members = self._members, []
        self._commit(members)

    def _commit(self, members: list[_Member[T]]) -> None:
        self._claimed.clear()
        try:
            self._write([m for m in members if not m.finished])
        finally:
            # Also when the group failed: those that committed on their own are reported.
            for member in members:
                if member.finished:
                    self.done(member.result)  # type: ignore[arg-type]  # set by finish()

    def _write(self, waiting: list[_Member[T]]) -> None:
        if not waiting:
            return
        committed: list[_Member[T]] = []
        try:
            with transaction.atomic():
                for member in waiting:
                    try:
                        while member.steps.send(False) is not COMMIT:
                            pass
                    except StopIteration as stop:
                        member.finish(stop.value)
                    else:
                        committed.append(member)
        except BaseException as exc:
            # GeneratorExit runs their clean-up (files written for the
            # transaction are removed) without counting as the intake failing.
            for member in waiting:
                member.steps.close()
            if isinstance(exc, OperationalError | InterfaceError) or not isinstance(exc, Exception):
                raise  # the database is away (or we are stopped): nothing was committed
            log.warning(
                "Gemeinsames Schreiben von %d Eingängen scheiterte (%s); einzeln",
                len(waiting),
                type(exc).__name__,
            )
            first_error: Exception | None = None
            for member in waiting:
                try:
                    member.finish(run(member.start()))
                except Exception as error:
                    first_error = first_error or error
            if first_error is not None:
                raise first_error from exc
            return
        for member in committed:
            member.finish(run_rest(member.steps))


def run_rest(steps: Steps[T]) -> T:
    """Let an intake that has committed finish (its later writes commit on their own)."""
    try:
        while True:
            steps.send(False)
    except StopIteration as stop:
        return stop.value
