"""The push path: mail servers deliver to us over LMTP (or SMTP).

Postfix: ``transport_maps`` → ``lmtp:inet:127.0.0.1:2424`` for the shared
mailboxes' addresses. Recipients are checked at RCPT time (unknown → 550, so
the sending server bounces and nothing is silently dropped). Each recipient's
status is given only after its case is committed: 250 when handled (a
quarantine included), 451 when it must be delivered again.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections

from buergerticket.intake.models import Mailbox, Source
from buergerticket.org.models import Organisation

from .ingest import Delivery, ingest

log = logging.getLogger("buergerticket.intake.listener")

# Accepted at the protocol level; the channel quarantines what exceeds the
# organisation's limit (so the administrator sees it) up to this hard cap.
DATA_SIZE_LIMIT = 100 * 1024 * 1024


def resolve(address: str) -> tuple[Organisation, Mailbox | None] | None:
    """Which organisation a recipient address belongs to."""
    address = address.strip().lower()
    mailbox = Mailbox.objects.select_related("organisation").filter(address__iexact=address).first()
    if mailbox is not None:
        return mailbox.organisation, mailbox
    organisation = Organisation.objects.filter(mailbox__iexact=address).first()
    if organisation is not None:
        return organisation, None
    return None


def _in_thread(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    close_old_connections()
    try:
        return func(*args, **kwargs)
    finally:
        close_old_connections()


class IntakeHandler:
    """aiosmtpd handler: recipients are mapped to organisations, mail is ingested."""

    def __init__(self, *, kind: str = Source.LMTP):
        self.kind = kind

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        target = await asyncio.to_thread(_in_thread, resolve, address)
        if target is None:
            return "550 5.1.1 Unbekannter Empfänger"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        statuses: dict[int, str] = {}
        replies = []
        for address in envelope.rcpt_tos:
            target = await asyncio.to_thread(_in_thread, resolve, address)
            if target is None:
                replies.append("550 5.1.1 Unbekannter Empfänger")
                continue
            organisation, mailbox = target
            # Two addresses of one organisation: one case, one status for both.
            if organisation.pk not in statuses:
                statuses[organisation.pk] = await asyncio.to_thread(
                    _in_thread, self._deliver, raw, organisation, mailbox, envelope.mail_from
                )
            replies.append(statuses[organisation.pk])
        if isinstance(server, LMTP):
            return "\r\n".join(replies)
        # SMTP has one reply for all recipients: only "handled" if all were.
        failed = [r for r in replies if not r.startswith("250")]
        return failed[0] if failed else replies[0]

    def _deliver(
        self, raw: bytes, organisation: Organisation, mailbox: Mailbox | None, mail_from: str | None
    ) -> str:
        try:
            outcome = ingest(
                raw,
                organisation=organisation,
                delivery=Delivery(
                    kind=self.kind,
                    mailbox=mailbox,
                    envelope_from=(mail_from or "").strip("<>"),
                    label=f"{self.kind}:{organisation.slug}",
                ),
            )
        except Exception:
            log.exception("Zustellung an %s fehlgeschlagen", organisation.slug)
            return "451 4.3.0 Vorübergehender Fehler, bitte später erneut zustellen"
        return f"250 2.0.0 {outcome.result}"


class _LMTPController(Controller):
    def factory(self) -> SMTP:
        return LMTP(self.handler, data_size_limit=DATA_SIZE_LIMIT, enable_SMTPUTF8=True)


def controller(host: str, port: int, *, lmtp: bool = True) -> Controller:
    if lmtp:
        return _LMTPController(IntakeHandler(kind=Source.LMTP), hostname=host, port=port)
    return Controller(
        IntakeHandler(kind=Source.SMTP),
        hostname=host,
        port=port,
        data_size_limit=DATA_SIZE_LIMIT,
        enable_SMTPUTF8=True,
    )


def serve(*, host: str, port: int, lmtp: bool = True) -> None:
    """Run until SIGTERM/SIGINT (``buergerticket mail listen``)."""
    server = controller(host, port, lmtp=lmtp)
    server.start()
    log.info("%s-Empfang auf %s:%s", "LMTP" if lmtp else "SMTP", host, port)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        loop.run_until_complete(stop.wait())
    finally:
        server.stop()
        loop.close()
