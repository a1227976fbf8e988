"""What the database knows about a mail before deciding, in two queries.

Intake runs for every mail, so the lookups are bundled: one query over the
receipts (this delivery seen before? the same mail on another path? how many
cases did this sender open in the last hour?) and one over the addresses
(is the sender one of the system's own addresses or a colleague? is the
reply address blocked after a bounce?).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from buergerticket.core.memo import Memo
from buergerticket.intake.models import Mailbox, MailReceipt, Result
from buergerticket.notify.models import BouncedAddress
from buergerticket.org.models import Organisation, Staff

# Earlier deliveries that do not make a later one a duplicate.
NOT_PRIOR = ("duplicate",)


@dataclass(frozen=True)
class Facts:
    same_delivery: int | None = None  # receipt id of exactly this delivery
    same_mail: bool = False  # the mail was handled on another path
    same_mail_case: int | None = None
    opened_last_hour: int = 0
    own_address: bool = False
    staff_id: int | None = None
    blocked: bool = False


def gather(
    organisation: Organisation,
    *,
    source_key: str,
    message_id: str,
    sender: str,
    reply_address: str,
    exclude: int | None = None,
) -> Facts:
    since = timezone.now() - dt.timedelta(hours=1)
    wanted = Q(source_key=source_key)
    if sender:
        # A reused Message-ID from someone else is a different mail.
        wanted |= Q(message_id=message_id, sender=sender) & (
            Q(result__in=(Result.CREATED, Result.THREADED))
            | (Q(result=Result.IGNORED) & ~Q(reason__in=NOT_PRIOR))
        )
        wanted |= Q(sender=sender, result=Result.CREATED, processed_at__gte=since)
    rows = (
        MailReceipt.objects.filter(organisation=organisation)
        .filter(wanted)
        .exclude(pk=exclude or 0)
        .values_list(
            "pk", "source_key", "message_id", "result", "reason", "case_id", "processed_at"
        )
    )
    same_delivery = None
    same_mail, same_mail_case, opened = False, None, 0
    for pk, key, mid, result, reason, case_id, processed_at in rows:
        if key == source_key:
            same_delivery = pk
        elif mid == message_id and (result != Result.IGNORED or reason not in NOT_PRIOR):
            same_mail, same_mail_case = True, same_mail_case or case_id
        if result == Result.CREATED and processed_at is not None and processed_at >= since:
            opened += 1
    if not sender:
        return Facts(same_delivery=same_delivery)
    own_address, staff_id, blocked = _addresses(organisation, sender, reply_address)
    return Facts(
        same_delivery=same_delivery,
        same_mail=same_mail,
        same_mail_case=same_mail_case,
        opened_last_hour=opened,
        own_address=own_address,
        staff_id=staff_id,
        blocked=blocked,
    )


# The installation's own addresses and each organisation's staff addresses, read
# once every few seconds instead of per mail (see core.memo); bounces are read fresh.
_own: Memo[frozenset[str]] = Memo("intake.own_addresses")
_staff: Memo[dict[str, int]] = Memo("intake.staff_addresses")


def _own_addresses() -> frozenset[str]:
    boxes = Mailbox.objects.values_list("address", flat=True)
    mailboxes = Organisation.objects.exclude(mailbox="").values_list("mailbox", flat=True)
    configured = {settings.DEFAULT_FROM_EMAIL, *settings.MAIL_OWN_ADDRESSES}
    return frozenset(a.lower() for a in (*boxes, *mailboxes, *configured) if a)


def _staff_addresses(organisation: Organisation) -> dict[str, int]:
    rows = Staff.objects.filter(organisation=organisation, active=True).exclude(email="")
    result: dict[str, int] = {}
    for pk, email in rows.order_by("pk").values_list("pk", "email"):
        result.setdefault(email.lower(), pk)
    return result


def _addresses(
    organisation: Organisation, sender: str, reply_address: str
) -> tuple[bool, int | None, bool]:
    sender = sender.lower()
    own_address = sender in _own.get("all", _own_addresses)
    staff_id = _staff.get(organisation.pk, lambda: _staff_addresses(organisation)).get(sender)
    blocked = BouncedAddress.objects.filter(
        organisation=organisation, address=reply_address, blocked=True
    ).exists()
    return own_address, staff_id, blocked
