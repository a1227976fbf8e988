"""Reading a shared mailbox over IMAP without losing or duplicating mail.

* Position: UIDs above the last one handled, per folder and UIDVALIDITY; a new
  UIDVALIDITY starts the folder again from the beginning, and the receipts'
  Message-ID check keeps that from opening cases twice.
* Order of effects: the case (with its receipt) commits first, then the
  message is moved or flagged on the server, then the position advances. A
  crash anywhere in between means the message is read again and recognised as
  done (its receipt), never processed twice.
* One reader per mailbox at a time (a lease in :class:`MailboxState`), so
  several workers can run.
* Unread/read state is never used to decide what is new: people also read
  the shared mailbox in their mail client.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from buergerticket.intake.models import (
    DoneAction,
    Mailbox,
    MailboxState,
    Result,
    Source,
)

from .connection import FetchError, close, connect
from .ingest import Delivery, ingest

log = logging.getLogger("buergerticket.intake.imap")

LEASE = dt.timedelta(seconds=120)
BATCH_MESSAGES = 50
BATCH_BYTES = 20 * 1024 * 1024
KEYWORD = b"$Buergerticket"


@dataclass
class FetchStats:
    fetched: int = 0
    results: dict[str, int] = field(default_factory=dict)
    error: str = ""
    stopped_early: bool = False

    def count(self, result: str) -> None:
        self.fetched += 1
        self.results[result] = self.results.get(result, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {"fetched": self.fetched, **self.results, "error": self.error}


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _state(mailbox: Mailbox) -> MailboxState:
    state, _ = MailboxState.objects.get_or_create(mailbox=mailbox)
    return state


def acquire(mailbox: Mailbox) -> bool:
    """Take (or renew) the mailbox's lease; False while another reader holds it."""
    state = _state(mailbox)
    now = timezone.now()
    me = _me()
    return bool(
        MailboxState.objects.filter(pk=state.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_owner=me))
        .update(lease_owner=me, lease_until=now + LEASE)
    )


def release(mailbox: Mailbox) -> None:
    MailboxState.objects.filter(mailbox=mailbox, lease_owner=_me()).update(
        lease_owner="", lease_until=None
    )


def check(mailbox: Mailbox) -> str:
    """Connection test for the administration page: a German sentence."""
    client = connect(mailbox)
    try:
        info = client.select_folder(_server_folder(client, mailbox.folder), readonly=True)
        count = int(info.get(b"EXISTS", 0))
    except IMAPClientError as exc:
        raise FetchError(f"Ordner „{mailbox.folder}“ nicht lesbar: {exc}") from None
    finally:
        close(client)
    return f"Verbindung erfolgreich: {count} Nachrichten im Ordner „{mailbox.folder}“."


# --- folders and server-side effects -------------------------------------------


def _delimiter(client: IMAPClient) -> str:
    try:
        folders = client.list_folders("", "")
        if folders and folders[0][1]:
            value = folders[0][1]
            return value.decode() if isinstance(value, bytes) else str(value)
    except IMAPClientError:
        pass
    return "/"


@dataclass
class _Folders:
    """Per connection: the server's hierarchy delimiter and folders known to exist."""

    delimiter: str
    existing: set[str] = field(default_factory=set)


_folders: weakref.WeakKeyDictionary[IMAPClient, _Folders] = weakref.WeakKeyDictionary()


def _server_folder(client: IMAPClient, name: str) -> str:
    """Folder names are configured with "/"; servers use their own delimiter."""
    known = _folders.get(client)
    if known is None:
        known = _folders[client] = _Folders(_delimiter(client))
    return name.replace("/", known.delimiter) if known.delimiter != "/" else name


def _ensure_folder(client: IMAPClient, name: str) -> str:
    folder = _server_folder(client, name)
    known = _folders[client]
    if folder not in known.existing:
        if not client.folder_exists(folder):
            try:
                client.create_folder(folder)
            except IMAPClientError:
                if not client.folder_exists(folder):
                    raise
        known.existing.add(folder)
    return folder


def _move(client: IMAPClient, uids: list[int], name: str) -> None:
    folder = _ensure_folder(client, name)
    if client.has_capability("MOVE"):
        client.move(uids, folder)
        return
    client.copy(uids, folder)
    client.add_flags(uids, [b"\\Deleted"], silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uids)


def _flag(client: IMAPClient, uids: list[int], keywords: bool) -> None:
    flags = [b"\\Seen", KEYWORD] if keywords else [b"\\Seen"]
    client.add_flags(uids, flags, silent=True)


def _put_away(
    client: IMAPClient, mailbox: Mailbox, done: list[int], quarantined: list[int], keywords: bool
) -> None:
    """Only called for messages whose receipts are committed."""
    if mailbox.done_action == DoneAction.MOVE:
        if quarantined and mailbox.quarantine_folder:
            _move(client, quarantined, mailbox.quarantine_folder)
        else:
            done = done + quarantined
        if done:
            _move(client, sorted(done), mailbox.done_folder)
    elif done or quarantined:
        _flag(client, sorted(done + quarantined), keywords)


# --- draining -----------------------------------------------------------------


def _batches(uids: list[int], sizes: dict[int, int], limit: int) -> Iterable[list[int]]:
    batch: list[int] = []
    total = 0
    for uid in uids:
        size = min(sizes.get(uid, 0), limit)
        if batch and (len(batch) >= BATCH_MESSAGES or total + size > BATCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += size
    if batch:
        yield batch


def drain(
    client: IMAPClient,
    mailbox: Mailbox,
    *,
    limit: int = 10_000,
    stats: FetchStats | None = None,
    renew: Callable[[], bool] | None = None,
) -> FetchStats:
    """Process every new message of the mailbox's folder (at most ``limit``)."""
    stats = stats or FetchStats()
    folder = _server_folder(client, mailbox.folder)
    info = client.select_folder(folder)
    uidvalidity = int(info[b"UIDVALIDITY"])
    keywords = b"\\*" in info.get(b"PERMANENTFLAGS", ())
    state = _state(mailbox)
    if state.folder != mailbox.folder or state.uidvalidity != uidvalidity:
        start = 0
        if state.uidvalidity is None and not mailbox.import_existing:
            start = int(info.get(b"UIDNEXT", 1)) - 1
        if state.uidvalidity is not None:
            log.warning(
                "Postfach %s: neue UIDVALIDITY %s, Ordner wird neu gelesen", mailbox, uidvalidity
            )
        MailboxState.objects.filter(pk=state.pk).update(
            folder=mailbox.folder, uidvalidity=uidvalidity, last_uid=start
        )
        state.last_uid = start
    last = state.last_uid
    uids = sorted(u for u in client.search(["UID", f"{last + 1}:*", "NOT", "DELETED"]) if u > last)
    uids = uids[:limit]
    if not uids:
        return stats
    sizes = {
        uid: int(data.get(b"RFC822.SIZE", 0))
        for uid, data in client.fetch(uids, ["RFC822.SIZE"]).items()
    }
    hard_limit = 2 * mailbox.max_bytes
    for batch in _batches(uids, sizes, hard_limit):
        whole = [u for u in batch if sizes.get(u, 0) <= hard_limit]
        huge = [u for u in batch if sizes.get(u, 0) > hard_limit]
        data: dict[int, dict[bytes, Any]] = {}
        if whole:
            data.update(client.fetch(whole, ["BODY.PEEK[]", "INTERNALDATE"]))
        if huge:
            data.update(client.fetch(huge, ["BODY.PEEK[HEADER]", "INTERNALDATE"]))
        done: list[int] = []
        quarantined: list[int] = []
        handled_upto = last
        for uid in batch:
            item = data.get(uid)
            if item is None:  # expunged by someone else meanwhile
                handled_upto = uid
                continue
            partial = b"BODY[]" not in item
            raw = item.get(b"BODY[]") or item.get(b"BODY[HEADER]") or b""
            received = item.get(b"INTERNALDATE")
            outcome = ingest(
                raw,
                organisation=mailbox.organisation,
                delivery=Delivery(
                    kind=Source.IMAP,
                    key=f"imap:{mailbox.pk}:{mailbox.folder}:{uidvalidity}:{uid}",
                    mailbox=mailbox,
                    received_at=received if isinstance(received, dt.datetime) else None,
                    size=sizes.get(uid, len(raw)),
                    partial=partial,
                    label=f"{mailbox.address}/{mailbox.folder}/{uid}",
                ),
            )
            stats.count(outcome.result)
            (quarantined if outcome.result == Result.QUARANTINED else done).append(uid)
            handled_upto = uid
        _put_away(client, mailbox, done, quarantined, keywords)
        MailboxState.objects.filter(pk=state.pk, last_uid__lt=handled_upto).update(
            last_uid=handled_upto, fetched_total=state.fetched_total + len(done) + len(quarantined)
        )
        state.fetched_total += len(done) + len(quarantined)
        last = handled_upto
        if renew is not None and not renew():
            stats.stopped_early = True
            break
    return stats


def record_poll(mailbox: Mailbox, stats: FetchStats, *, next_in: dt.timedelta) -> None:
    now = timezone.now()
    if stats.error:
        state = _state(mailbox)
        failures = state.failures + 1
        base = max(next_in, dt.timedelta(seconds=30))
        backoff = min(base * (2 ** min(failures - 1, 6)), dt.timedelta(minutes=15))
        MailboxState.objects.filter(pk=state.pk).update(
            last_poll_at=now,
            last_error=stats.error[:2000],
            last_error_at=now,
            failures=failures,
            next_poll_at=now + backoff,
        )
    else:
        MailboxState.objects.filter(mailbox=mailbox).update(
            last_poll_at=now,
            last_success_at=now,
            failures=0,
            last_error="",
            next_poll_at=now + next_in,
        )


def poll(mailbox: Mailbox, *, limit: int = 10_000) -> FetchStats:
    """Connect, drain, disconnect (the worker's polling and ``mail fetch``)."""
    stats = FetchStats()
    if not acquire(mailbox):
        stats.error = "Das Postfach wird gerade von einem anderen Prozess gelesen."
        return stats
    try:
        client = connect(mailbox)
        try:
            drain(client, mailbox, limit=limit, stats=stats, renew=lambda: acquire(mailbox))
        finally:
            close(client)
    except FetchError as exc:
        stats.error = str(exc)
    except (IMAPClientError, OSError) as exc:
        stats.error = f"Verbindung zum IMAP-Server unterbrochen: {exc}"
    finally:
        release(mailbox)
    if stats.error:
        log.warning("Postfach %s: %s", mailbox, stats.error)
    # More mail waiting than one poll takes: due again right away.
    more = stats.fetched >= limit or stats.stopped_early
    record_poll(mailbox, stats, next_in=dt.timedelta(0 if more else mailbox.poll_seconds))
    return stats
