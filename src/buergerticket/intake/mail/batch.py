"""Many mails at once (``ingest-mail``): the same steps as every single mail
(:func:`~.ingest.ingest_steps`), committed in groups, in one or several processes.

Mails are shared out by sender, so each sender's mails are processed in their
order (a reply after the request it answers) while different senders run in
parallel. Each process commits up to :data:`GROUP` mails in one transaction
(see :mod:`buergerticket.intake.steps`): on SQLite that keeps the write lock
for fewer, longer turns and the database pages warm between them. A mail's
JSON line is printed only once its transaction has committed. What two
processes might both do with one mail is settled by the receipts' unique
constraints, as on any other path.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import re
from collections.abc import Callable, Iterable
from functools import partial
from multiprocessing.queues import Queue
from typing import Any

from django.db import InterfaceError, OperationalError, connections

from buergerticket.intake import steps
from buergerticket.intake.models import Source
from buergerticket.org.models import Organisation

from .ingest import Delivery, Outcome, ingest_steps

_FROM = re.compile(rb"^from:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)
_ADDRESS = re.compile(rb"[\w.!#$%&'*+/=?^`{|}~-]+@[\w.-]+")
DONE = None
# Mails per shared transaction: long enough to keep the pages warm, short
# enough that a failure costs little to redo.
GROUP = 32


def sender_key(raw: bytes) -> bytes:
    """The From address, cheaply (header block only); unreadable mail shares one key."""
    head = raw[: raw.find(b"\n\n") if b"\n\n" in raw[:65536] else 65536]
    head = head.split(b"\r\n\r\n", 1)[0]
    match = _FROM.search(head)
    if match is None:
        return b""
    address = _ADDRESS.search(match.group(1))
    return address.group(0).lower() if address else match.group(1).strip().lower()


def ingest_sequence(
    organisation: Organisation,
    messages: Iterable[tuple[str, bytes]],
    *,
    emit: Callable[[dict[str, Any]], None],
    kind: str = Source.FILE,
) -> None:
    """Ingest ``(label, raw)`` in their order, committing in groups; a database
    failure propagates (the group it hit is not committed and not reported)."""
    group: steps.GroupCommit[Outcome] = steps.GroupCommit(GROUP, lambda o: emit(o.as_dict()))
    for label, raw in messages:
        delivery = Delivery(kind=kind, label=label)
        group.add(partial(ingest_steps, raw, organisation=organisation, delivery=delivery))
    group.flush()


def _worker(
    organisation_id: int,
    items: list[tuple[str, str]],
    kind: str,
    results: Queue[Any],
) -> None:
    from pathlib import Path

    connections.close_all()
    organisation = Organisation.objects.get(pk=organisation_id)
    try:
        ingest_sequence(
            organisation,
            ((label, Path(path).read_bytes()) for label, path in items),
            emit=lambda line: results.put(("outcome", line)),
            kind=kind,
        )
    except (OperationalError, InterfaceError) as exc:
        results.put(("database", str(exc)))
    finally:
        connections.close_all()
        results.put(DONE)


def ingest_files(
    organisation: Organisation,
    files: Iterable[tuple[str, str]],
    *,
    jobs: int,
    emit: Callable[[dict[str, Any]], None],
    kind: str = Source.FILE,
) -> bool:
    """Ingest ``(label, path)`` pairs in ``jobs`` processes; False after a database error."""
    partitions: list[list[tuple[str, str]]] = [[] for _ in range(jobs)]
    for label, path in files:
        with open(path, "rb") as handle:
            key = sender_key(handle.read(65536))
        index = int.from_bytes(hashlib.blake2b(key, digest_size=4).digest(), "big") % jobs
        partitions[index].append((label, path))
    # Forked children must not share the parent's database connections.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    results: Queue[Any] = context.Queue()
    processes = [
        context.Process(target=_worker, args=(organisation.pk, part, kind, results), daemon=True)
        for part in partitions
        if part
    ]
    for process in processes:
        process.start()
    running, healthy = len(processes), True
    while running:
        message = results.get()
        if message is DONE:
            running -= 1
        elif message[0] == "outcome":
            emit(message[1])
        else:
            healthy = False
            emit({"result": "error", "reason": "database", "detail": message[1]})
    for process in processes:
        process.join()
        healthy = healthy and process.exitcode == 0
    return healthy
