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
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from buergerticket.core.memo import Memo
from buergerticket.intake.models import Mailbox, Result
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


# Three lookups, each on its own index, in one round trip: this delivery
# (source key), the same mail from the same sender on another path, and the
# cases this sender opened since a moment. Plain SQL: every mail asks this, and
# composing it through the ORM cost more than running it.
_SAME_DELIVERY = """
SELECT id, source_key, message_id, result, reason, case_id, 0
  FROM intake_mailreceipt WHERE organisation_id = %(org)s AND source_key = %(key)s"""
# A reused Message-ID from someone else is a different mail.
_SAME_MAIL_AND_RECENT = """
UNION
SELECT id, source_key, message_id, result, reason, case_id, 0
  FROM intake_mailreceipt WHERE organisation_id = %(org)s AND message_id = %(mid)s
   AND sender = %(sender)s
UNION
SELECT id, source_key, message_id, result, reason, case_id, 1
  FROM intake_mailreceipt WHERE organisation_id = %(org)s AND sender = %(sender)s
   AND processed_at >= %(since)s AND result = 'created'"""


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
    params: dict[str, Any] = {
        "org": organisation.pk,
        "key": source_key,
        "mid": message_id,
        "sender": sender,
        "since": connection.ops.adapt_datetimefield_value(since),
    }
    with connection.cursor() as cursor:
        cursor.execute(_SAME_DELIVERY + (_SAME_MAIL_AND_RECENT if sender else ""), params)
        rows = cursor.fetchall()
    same_delivery = None
    same_mail, same_mail_case = False, None
    recent: set[int] = set()
    for pk, key, mid, result, reason, case_id, opened in rows:
        if pk == exclude:
            continue
        if key == source_key:
            same_delivery = pk
        elif mid == message_id and _prior(result, reason):
            same_mail, same_mail_case = True, same_mail_case or case_id
        if opened:
            recent.add(pk)
    if not sender:
        return Facts(same_delivery=same_delivery)
    own_address, staff_id, blocked = _addresses(organisation, sender, reply_address)
    return Facts(
        same_delivery=same_delivery,
        same_mail=same_mail,
        same_mail_case=same_mail_case,
        opened_last_hour=len(recent),
        own_address=own_address,
        staff_id=staff_id,
        blocked=blocked,
    )


def _prior(result: str, reason: str) -> bool:
    """Whether an earlier receipt of the same mail makes this one a duplicate."""
    if result in (Result.CREATED, Result.THREADED):
        return True
    return result == Result.IGNORED and reason not in NOT_PRIOR


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


def is_own_address(address: str) -> bool:
    """One of the installation's own mail addresses (any organisation's mailbox)."""
    return address.lower() in _own.get("all", _own_addresses)


def _addresses(
    organisation: Organisation, sender: str, reply_address: str
) -> tuple[bool, int | None, bool]:
    sender = sender.lower()
    own_address = is_own_address(sender)
    staff_id = _staff.get(organisation.pk, lambda: _staff_addresses(organisation)).get(sender)
    blocked = bool(reply_address) and _blocked(organisation.pk, reply_address)
    return own_address, staff_id, blocked


def _blocked(organisation_id: int, address: str) -> bool:
    """Read fresh (a bounce blocks at once); plain SQL for the reason above."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM notify_bouncedaddress "
            "WHERE organisation_id = %s AND address = %s AND blocked LIMIT 1",
            [organisation_id, address],
        )
        return cursor.fetchone() is not None
