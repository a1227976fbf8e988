"""Anonymising a case's requester data (DSGVO): on request or by a service's rule.

The history stays verifiable: events never hold the requester's personal data
(``Actor.requester()`` carries the role only), so only Case, Message and Document rows
change, and the ``anonymised`` event records what was removed, not what it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from buergerticket.cases.history import Actor, History
from buergerticket.cases.models import Case, Document, Message, MessageKind, Status
from buergerticket.org.models import Role

from ._common import CaseError, lock_case, save_change

REDACTED = "[entfernt]"
REMOVED_SUFFIX = " (entfernt).txt"
# Parts of a name that are not identifying on their own.
_NAME_NOISE = {"von", "van", "der", "den", "de", "zu", "dr", "prof", "frau", "herr", "und"}


@dataclass(frozen=True)
class Anonymised:
    file_number: str
    messages: int
    documents: int
    already: bool = False


def check_records_officer(actor: Actor, case: Case, roles: Iterable[str]) -> None:
    """Records-management steps are for the named roles of the case's organisation.

    Clerks may not erase or dispose of the cases they work; automation and the
    system act on a schedule configured by those roles.
    """
    staff = actor.staff
    if staff is None:
        return
    if staff.organisation_id != case.organisation_id or not any(r in staff.roles for r in roles):
        from buergerticket.cases.permissions import CasePermissionDenied

        raise CasePermissionDenied("Dafür fehlt Ihnen die Berechtigung.")


def identifiers(case: Case, extra: Iterable[str] = ()) -> list[str]:
    """Strings identifying the requester, longest first (so "Erika Mustermann"
    is replaced before "Erika")."""
    found: set[str] = set()
    for value in (case.requester_name, case.requester_email, case.requester_phone, *extra):
        if value and len(value.strip()) >= 3:
            found.add(value.strip())
    for part in re.split(r"[\s,]+", case.requester_name):
        if len(part) >= 3 and part.lower().strip(".") not in _NAME_NOISE:
            found.add(part)
    if case.requester_address:
        found.add(case.requester_address.strip())
        for segment in case.requester_address.split(","):
            segment = segment.strip()
            if len(segment) >= 5 and any(ch.isdigit() for ch in segment):
                found.add(segment)
    if case.requester_email and "@" in case.requester_email:
        found.add(case.requester_email.split("@")[0])
    return sorted(found, key=len, reverse=True)


def redactor(values: list[str]) -> re.Pattern[str] | None:
    patterns = []
    for value in values:
        if value.replace("+", "").replace(" ", "").replace("/", "").replace("-", "").isdigit():
            # Phone numbers are written with all kinds of separators.
            digits = [d for d in value if d.isdigit()]
            patterns.append(r"\+?" + r"[\s/\-()]*".join(re.escape(d) for d in digits))
        else:
            patterns.append(r"(?<!\w)" + re.escape(value) + r"(?!\w)")
    return re.compile("|".join(patterns), re.IGNORECASE) if patterns else None


def redact(text: str, pattern: re.Pattern[str] | None) -> str:
    return pattern.sub(REDACTED, text) if pattern and text else text


def _redact_json(value: object, pattern: re.Pattern[str] | None) -> object:
    if isinstance(value, str):
        return redact(value, pattern)
    if isinstance(value, list):
        return [_redact_json(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _redact_json(v, pattern) for k, v in value.items()}
    return value


def anonymise_case(
    case: Case | int,
    *,
    actor: Actor,
    reason: str,
    also_redact: Iterable[str] = (),
) -> Anonymised:
    """Remove the requester's personal data from a closed case.

    Requester fields are emptied; their name, address, e-mail and phone (and
    ``also_redact``) are replaced by "[entfernt]" in subject, texts, messages
    and form data; the content of every document is deleted (a scan or a
    decision cannot be redacted reliably), its metadata stays. Idempotent.
    """
    if not reason.strip():
        raise CaseError("Bitte geben Sie einen Grund oder Bezug für die Anonymisierung an.")
    files: list[str] = []
    with transaction.atomic():
        case = lock_case(case)
        check_records_officer(actor, case, (Role.DATA_PROTECTION, Role.ADMIN))
        if case.status != Status.CLOSED:
            raise CaseError("Nur abgeschlossene Vorgänge können anonymisiert werden.")
        if case.legal_hold:
            raise CaseError("Für den Vorgang besteht eine Aufbewahrungssperre.")
        if case.anonymised_at is not None and not list(also_redact):
            return Anonymised(case.file_number, 0, 0, already=True)
        pattern = redactor(identifiers(case, also_redact))
        history = History(case)
        location = case.location_address
        if location and (
            location == case.requester_address or redact(location, pattern) != location
        ):
            case.location_address = redact(location, pattern)
        case.subject = redact(case.subject, pattern)[:300]
        case.text = redact(case.text, pattern)
        case.form_data = _redact_json(case.form_data, pattern)
        case.requester_name = ""
        case.requester_email = ""
        case.requester_phone = ""
        case.requester_address = ""
        case.requester_account = None
        case.anonymised_at = history.at
        messages = list(Message.objects.filter(case=case))
        for message in messages:
            message.subject = redact(message.subject, pattern)[:300]
            message.body = redact(message.body, pattern)
            message.body_html = ""
            message.recipient = ""
            message.delivery_error = ""
            if message.author_id is None:
                message.author_label = (
                    Actor.requester().label
                    if message.kind == MessageKind.INCOMING
                    else redact(message.author_label, pattern)
                )
        Message.objects.bulk_update(
            messages,
            ["subject", "body", "body_html", "recipient", "delivery_error", "author_label"],
        )
        documents = list(Document.objects.filter(case=case).exclude(name__endswith=REMOVED_SUFFIX))
        notice = (
            f"Der Inhalt dieses Dokuments wurde am {timezone.localdate(history.at):%d.%m.%Y} "
            "bei der Anonymisierung des Vorgangs entfernt.\n"
        ).encode()
        for document in documents:
            files.append(document.file.name or "")
            # A short notice replaces the content, so every download link keeps
            # working; ``sha256`` still names the original, as the history does.
            document.file.save(f"entfernt-{document.pk}.txt", ContentFile(notice), save=False)
            document.name = f"Dokument {document.pk}{REMOVED_SUFFIX}"
            document.content_type = "text/plain"
            document.text = ""
            document.size = len(notice)
        Document.objects.bulk_update(documents, ["file", "name", "content_type", "text", "size"])
        history.record(
            "anonymised",
            actor,
            {"messages": len(messages), "documents": len(documents)},
            reason[:500],
        )
        save_change(
            case,
            history,
            [
                "subject",
                "text",
                "form_data",
                "location_address",
                "requester_name",
                "requester_email",
                "requester_phone",
                "requester_address",
                "requester_account",
                "anonymised_at",
            ],
        )
        transaction.on_commit(lambda: _delete_files(files))
    return Anonymised(case.file_number, len(messages), len(documents))


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if name:
            default_storage.delete(name)
