"""Private tracking links (anonymous access to one case) and links in requester mails.

A token is 32 random bytes (256 bits), URL-safe; the database keeps its SHA-256.
The portal adapter creates the token for the receipt page *before* it submits the
request and leaves it in a context variable; the ``intake`` event subscriber stores
its hash in the transaction that opens the case, and the receipt mail (queued in the
same transaction) carries the very same link. Later notifications get a fresh
token each, because the raw one is never stored.
"""

from __future__ import annotations

import contextvars
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from buergerticket.cases.models import Case, CaseEvent
from buergerticket.portal.models import TrackingLink


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class PendingReceipt:
    """The token the receipt page will show; bound to the case when it opens."""

    token: str
    case_id: int | None = None
    stored: bool = False


_pending: contextvars.ContextVar[PendingReceipt | None] = contextvars.ContextVar(
    "portal_pending_receipt", default=None
)


@contextmanager
def receipt_token() -> Iterator[PendingReceipt]:
    """Around ``pipeline.submit``: the case opened inside gets this receipt token."""
    pending = PendingReceipt(token=new_token())
    reset = _pending.set(pending)
    try:
        yield pending
    finally:
        _pending.reset(reset)


def store(case: Case, token: str, purpose: str) -> TrackingLink:
    # Tokens are fresh and random (256 bits): a plain INSERT, no lookup first.
    return TrackingLink.objects.create(
        token_hash=token_hash(token), case=case, purpose=purpose, created_at=timezone.now()
    )


def _receipt_token_for(case: Case) -> str | None:
    """The pending receipt token if ``case`` is the one being submitted right now,
    stored once; the first case opened inside :func:`receipt_token` claims it
    (subscribers run in registration order, so either the mail hook or
    :func:`on_event` comes first)."""
    pending = _pending.get()
    if pending is None or pending.case_id not in (None, case.pk):
        return None
    pending.case_id = case.pk
    if not pending.stored:
        TrackingLink.objects.create(
            case=case,
            token_hash=token_hash(pending.token),
            purpose="receipt",
            created_at=timezone.now(),
        )
        pending.stored = True
    return pending.token


def on_event(event: CaseEvent, case: Case) -> None:
    """Subscriber: the request being submitted through the portal gets its link,
    whether or not a receipt mail goes out."""
    if event.type == "intake" and case.requester_account_id is None:
        _receipt_token_for(case)


def tracking_url(case: Case, token: str) -> str:
    path = reverse("portal:track", kwargs={"org": case.organisation.slug, "token": token})
    return settings.PUBLIC_BASE_URL + path


def case_url(case: Case) -> str:
    path = reverse("portal:case", kwargs={"org": case.organisation.slug, "pk": case.pk})
    return settings.PUBLIC_BASE_URL + path


def requester_link(case: Case, purpose: str) -> str:
    """Notify's hook: the link a mail to the requester carries.

    Account holders get the case page (behind their login); everyone else a
    private link, which for the receipt of a portal submission is the one on the
    receipt page.
    """
    if case.requester_account_id is not None:
        return case_url(case)
    token = _receipt_token_for(case) if purpose == "receipt" else None
    if token is None:
        token = new_token()
        store(case, token, purpose)
    return tracking_url(case, token)


def find(token: str) -> TrackingLink | None:
    """The active link for ``token`` (constant-time by hash lookup), or None."""
    if not token or len(token) > 100:
        return None
    return (
        TrackingLink.objects.select_related("case", "case__organisation")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )


def revoke_all(case: Case, *, by: str) -> int:
    return TrackingLink.objects.filter(case=case, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by[:200]
    )
