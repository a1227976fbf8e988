"""Which case a mail belongs to, and whether its sender may join it.

In this order: a file number in the subject (with or without brackets, padded
or not), then In-Reply-To and References against the Message-IDs the system
sent (replies, receipts) or received. Every lookup is scoped to the
organisation the mail was delivered to.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass

from buergerticket.cases.models import Case, Message, MessageKind
from buergerticket.intake.models import MailReceipt, Result
from buergerticket.notify.models import OutboxItem
from buergerticket.org.models import Organisation, Staff

from .parse import ParsedMail

# Pattern fields (Organisation.file_number_pattern) and what they match.
_FIELDS = {
    "file_plan": r"(?P<file_plan>[0-9A-Za-z](?:[0-9A-Za-z.]*[0-9A-Za-z])?)",
    "seq": r"(?P<seq>\d{1,9})",
    "year": r"(?P<year>\d{4})",
    "department": r"(?P<department>[0-9A-Za-z]+)",
}

SUBJECT, REFERENCE = "file_number", "reference"


@dataclass(frozen=True)
class Match:
    case: Case
    how: str  # SUBJECT or REFERENCE
    # The reference headers point to this case too: the sender holds a mail of it.
    referenced: bool = False


@functools.lru_cache(maxsize=64)
def file_number_regex(pattern: str, slug: str) -> re.Pattern[str] | None:
    """A regex finding file numbers of ``pattern`` in free text (None if unusable)."""
    parts = [r"(?<![\w.])"]
    seen: set[str] = set()
    try:
        for literal, name, _spec, _conv in string.Formatter().parse(pattern):
            parts.append(re.escape(literal))
            if name is None:
                continue
            if name == "org":
                parts.append(re.escape(slug))
            elif name in _FIELDS and name not in seen:
                parts.append(_FIELDS[name])
                seen.add(name)
            elif name in seen:
                parts.append(f"(?P={name})")
            else:
                return None
    except ValueError:
        return None
    if "seq" not in seen or "year" not in seen:
        return None
    parts.append(r"(?![\w])")
    return re.compile("".join(parts), re.IGNORECASE)


def _format(pattern: str, organisation: Organisation, groups: dict[str, str]) -> str:
    return pattern.format(
        file_plan=groups.get("file_plan", ""),
        seq=int(groups["seq"]),
        year=int(groups["year"]),
        org=organisation.slug,
        department=groups.get("department", ""),
    )


def case_in_subject(organisation: Organisation, subject: str) -> Case | None:
    """The first existing case of ``organisation`` whose file number the subject names."""
    pattern = organisation.file_number_pattern
    regex = file_number_regex(pattern, organisation.slug)
    if regex is None or not subject:
        return None
    for found in regex.finditer(subject):
        groups = found.groupdict()
        case = (
            Case.objects.select_related("service", "owner", "organisation")
            .filter(
                organisation=organisation, year=int(groups["year"]), sequence=int(groups["seq"])
            )
            .first()
        )
        # Padding may differ ("-42/" for "-00042/"); everything else must agree.
        if case is not None and _format(pattern, organisation, groups).lower() == (
            case.file_number.lower()
        ):
            return case
    return None


def case_by_reference(organisation: Organisation, mail: ParsedMail) -> Case | None:
    """The case of the most recent Message-ID in In-Reply-To, then References."""
    ids = list(dict.fromkeys([*mail.in_reply_to, *reversed(mail.references)]))[:40]
    if not ids:
        return None
    found: dict[str, int] = {}
    for message_id, case_id in Message.objects.filter(
        case__organisation=organisation, message_id__in=ids
    ).values_list("message_id", "case_id"):
        found.setdefault(message_id, case_id)
    for message_id, case_id in OutboxItem.objects.filter(
        organisation=organisation, message_id__in=ids, case__isnull=False
    ).values_list("message_id", "case_id"):
        if case_id is not None:
            found.setdefault(message_id, case_id)
    for message_id in ids:
        if message_id in found:
            return (
                Case.objects.select_related("service", "owner", "organisation")
                .filter(pk=found[message_id])
                .first()
            )
    return None


def find_case(organisation: Organisation, mail: ParsedMail) -> Match | None:
    by_subject = case_in_subject(organisation, mail.subject)
    by_reference = case_by_reference(organisation, mail)
    if by_subject is not None:
        referenced = by_reference is not None and by_reference.pk == by_subject.pk
        return Match(by_subject, SUBJECT, referenced=referenced)
    if by_reference is not None:
        return Match(by_reference, REFERENCE, referenced=True)
    return None


def participants(case: Case) -> set[str]:
    """Addresses that took part in the case: the requester, whom we wrote to,
    and who already wrote into it by mail."""
    addresses = requester_addresses(case)
    addresses.update(
        r.lower()
        for r in Message.objects.filter(case=case, kind=MessageKind.OUTGOING)
        .exclude(recipient="")
        .values_list("recipient", flat=True)
    )
    for sender, reply_to in MailReceipt.objects.filter(
        case=case, result__in=(Result.CREATED, Result.THREADED)
    ).values_list("sender", "reply_to"):
        addresses.update(a.lower() for a in (sender, reply_to) if a)
    return addresses


def requester_addresses(case: Case) -> set[str]:
    """The requester's address and their account's, lower-cased."""
    addresses = {case.requester_email.lower()} if case.requester_email else set()
    if case.requester_account_id and case.requester_account and case.requester_account.email:
        addresses.add(case.requester_account.email.lower())
    return addresses


def written_by_requester(case: Case, mail: ParsedMail) -> bool:
    """From the requester's address (or their account's): theirs to read again in
    the Bürgerpostfach, unlike what others write into the case."""
    sender = mail.sender.email.lower() if mail.sender else ""
    return bool({sender, mail.reply_address.lower()} & requester_addresses(case))


def staff_member(organisation: Organisation, address: str) -> Staff | None:
    if not address:
        return None
    found = list(
        Staff.objects.filter(
            organisation=organisation, active=True, email__iexact=address
        ).values_list("pk", flat=True)[:1]
    )
    # Almost every sender is no colleague: load the row only when one matches.
    return Staff.objects.select_related("user").get(pk=found[0]) if found else None
