"""The worker's part: poll mailboxes when due, keep IMAP IDLE connections open.

The worker job runs every few seconds. Mailboxes in polling mode are read
when their interval is up. For IDLE mode the job keeps one thread per mailbox
in this worker process; the thread drains the folder, then waits in IDLE and
drains again as soon as the server announces new mail. Only the thread that
holds the mailbox's lease reads; the others wait, ready to take over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time

from django.db import close_old_connections, connection
from django.utils import timezone
from imapclient.exceptions import IMAPClientError

from buergerticket.intake.models import FetchMode, Mailbox, MailboxState

from . import fetcher
from .connection import FetchError, close, connect

log = logging.getLogger("buergerticket.intake.imap")

# RFC 2177: re-issue IDLE before 29 minutes; servers and NAT boxes drop earlier.
# A poll takes at most this many mails, so the worker's other jobs (the outbox)
# keep running while a large backlog drains; the mailbox is due again at once.
POLL_BATCH = 500
IDLE_RENEW_SECONDS = 20 * 60
# How often the waiting thread looks up: to stop promptly and to renew its lease.
IDLE_WAKE_SECONDS = 2
LEASE_RENEW_SECONDS = 30

_threads: dict[int, tuple[threading.Thread, threading.Event]] = {}
# Told to stop, possibly still finishing a message; joined by stop_all().
_retired: list[threading.Thread] = []
_threads_lock = threading.Lock()


def fetch_due() -> dict[str, int]:
    """Worker job: poll due mailboxes and supervise IDLE threads."""
    now = timezone.now()
    polled = 0
    wanted: set[int] = set()
    for mailbox in Mailbox.objects.select_related("organisation").filter(enabled=True):
        if mailbox.mode == FetchMode.IDLE:
            wanted.add(mailbox.pk)
            _ensure_thread(mailbox.pk)
            continue
        state = MailboxState.objects.filter(mailbox=mailbox).first()
        if state is None or state.next_poll_at is None or state.next_poll_at <= now:
            fetcher.poll(mailbox, limit=POLL_BATCH)
            polled += 1
    _stop_unwanted(wanted)
    return {"polled": polled, "idle_threads": len(_threads)}


def _ensure_thread(mailbox_id: int) -> None:
    with _threads_lock:
        current = _threads.get(mailbox_id)
        if current is not None and current[0].is_alive():
            return
        stop = threading.Event()
        thread = threading.Thread(
            target=idle_loop, args=(mailbox_id, stop), name=f"imap-idle-{mailbox_id}", daemon=True
        )
        _threads[mailbox_id] = (thread, stop)
        thread.start()


def _stop_unwanted(wanted: set[int]) -> None:
    with _threads_lock:
        for mailbox_id in list(_threads):
            if mailbox_id not in wanted:
                thread, stop = _threads.pop(mailbox_id)
                stop.set()
                _retired.append(thread)
        _retired[:] = [t for t in _retired if t.is_alive()]


def stop_all(timeout: float = 10.0) -> None:
    with _threads_lock:
        items = list(_threads.values())
        _threads.clear()
        retired = list(_retired)
        _retired.clear()
    for _thread, stop in items:
        stop.set()
    for thread in [t for t, _ in items] + retired:
        thread.join(timeout)


def idle_loop(mailbox_id: int, stop: threading.Event) -> None:
    """Hold an IDLE connection for one mailbox until ``stop`` is set."""
    backoff = 5.0
    try:
        while not stop.is_set():
            close_old_connections()
            mailbox = (
                Mailbox.objects.select_related("organisation")
                .filter(pk=mailbox_id, enabled=True, mode=FetchMode.IDLE)
                .first()
            )
            if mailbox is None:
                return
            if not fetcher.acquire(mailbox):
                stop.wait(LEASE_RENEW_SECONDS)
                continue
            stats = fetcher.FetchStats()
            try:
                _session(mailbox, stop, stats)
                backoff = 5.0
            except FetchError as exc:
                stats.error = str(exc)
            except (IMAPClientError, OSError) as exc:
                stats.error = f"Verbindung zum IMAP-Server unterbrochen: {exc}"
            finally:
                fetcher.release(mailbox)
            fetcher.record_poll(mailbox, stats, next_in=dt.timedelta(seconds=mailbox.poll_seconds))
            if stats.error:
                log.warning("Postfach %s: %s", mailbox, stats.error)
                stop.wait(backoff)
                backoff = min(backoff * 2, 300.0)
    finally:
        connection.close()


def _session(mailbox: Mailbox, stop: threading.Event, stats: fetcher.FetchStats) -> None:
    client = connect(mailbox)
    try:
        fetcher.drain(client, mailbox, stats=stats, renew=lambda: fetcher.acquire(mailbox))
        fetcher.record_poll(mailbox, stats, next_in=dt.timedelta(seconds=mailbox.poll_seconds))
        if not client.has_capability("IDLE"):
            # No push from this server: fall back to waiting for the poll interval.
            stop.wait(mailbox.poll_seconds)
            return
        started = renewed = time.monotonic()
        client.idle()
        try:
            while not stop.is_set() and time.monotonic() - started < IDLE_RENEW_SECONDS:
                responses = client.idle_check(timeout=IDLE_WAKE_SECONDS)
                if time.monotonic() - renewed > LEASE_RENEW_SECONDS:
                    if not fetcher.acquire(mailbox):
                        return  # lost the lease (e.g. after a long pause); someone else reads
                    renewed = time.monotonic()
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    client.idle_done()
                    close_old_connections()
                    fetcher.drain(
                        client, mailbox, stats=stats, renew=lambda: fetcher.acquire(mailbox)
                    )
                    client.idle()
        finally:
            with contextlib.suppress(IMAPClientError, OSError):
                client.idle_done()
    finally:
        close(client)
