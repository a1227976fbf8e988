"""Opening a case: the one call every channel ends in."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from buergerticket.cases.assignment import Holder, department_lead, resolve_holder
from buergerticket.cases.history import Actor, History
from buergerticket.cases.models import (
    Case,
    Channel,
    Document,
    FileNumberSequence,
    Message,
    MessageKind,
    Priority,
    Status,
    document_name,
)
from buergerticket.catalog.deadlines import deadline_for
from buergerticket.catalog.models import Service
from buergerticket.org.models import Department, Organisation, User

from ._common import CaseError


@dataclass(frozen=True)
class Requester:
    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    account: User | None = None


@dataclass(frozen=True)
class Location:
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass(frozen=True)
class NewDocument:
    """An attachment as the channel received it; channels validate type and size."""

    name: str
    content: bytes
    content_type: str
    text: str = ""
    # Set by staged_documents: the file is already in storage under this name.
    stored_as: str = ""


@dataclass(frozen=True)
class Intake:
    """Everything a channel knows about a new request, normalised."""

    service: Service
    channel: str
    subject: str
    text: str = ""
    requester: Requester = field(default_factory=Requester)
    location: Location = field(default_factory=Location)
    priority: int = Priority.NORMAL
    form_data: dict[str, Any] = field(default_factory=dict)
    attachments: Sequence[NewDocument] = ()
    tags: Sequence[str] = ()
    received_at: dt.datetime | None = None
    # E-mail: the Message-ID and raw headers of the original, for threading.
    message_id: str = ""
    in_reply_to: str = ""
    body_html: str = ""
    attention: str = ""
    # Set by routing rules: the case goes to this department instead of the
    # service's, and is assigned by that department's rules.
    department: Department | None = None
    # A historical case brought in by an import: recorded as such, no receipt is sent.
    imported: bool = False


_INCREMENT = (
    "UPDATE cases_filenumbersequence SET last_value = last_value + 1 "
    "WHERE organisation_id = %s AND year = %s RETURNING last_value"
)


def _increment(organisation_id: int, year: int) -> int | None:
    """Increment and read in one statement (PostgreSQL and SQLite ≥ 3.35 both support
    RETURNING); the row lock it takes keeps concurrent intakes in line."""
    with connection.cursor() as cursor:
        cursor.execute(_INCREMENT, [organisation_id, year])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def next_file_number(organisation: Organisation, service: Service, year: int) -> tuple[str, int]:
    """Draw the next number of the organisation's yearly sequence (inside the transaction)."""
    seq = _increment(organisation.pk, year)
    if seq is None:
        try:
            with transaction.atomic():
                FileNumberSequence.objects.create(
                    organisation=organisation, year=year, last_value=1
                )
            seq = 1
        except IntegrityError:
            # Another transaction created this year's row first; take the next value.
            seq = _increment(organisation.pk, year)
    assert seq is not None
    number = organisation.file_number_pattern.format(
        file_plan=service.file_plan.code,
        seq=seq,
        year=year,
        org=organisation.slug,
        department=service.department.code,
    )
    return number, seq


@dataclass(frozen=True)
class Opening:
    """An intake that passed the checks, with its owner resolved and its
    attachment files written: what is left is the transaction."""

    intake: Intake
    department: Department
    holder: Holder


@contextmanager
def opening(intake: Intake) -> Iterator[Opening]:
    """Check ``intake`` and do the reads and file writes of opening its case
    before the transaction, to be used as ``with opening(i) as o, atomic():``.

    On SQLite every writer waits while one transaction runs, so what needs no
    lock stays out of it. The owner is resolved a moment before the case is
    written, as if the request had come in that moment earlier. Files are
    removed again when the block fails.
    """
    service = intake.service
    if intake.channel not in Channel.values:
        raise CaseError(f"Unbekannter Eingangskanal „{intake.channel}“.")
    if not service.active:
        raise CaseError(f"Die Leistung „{service.name}“ ist nicht mehr aktiv.")
    if not intake.subject.strip():
        raise CaseError("Ein Betreff ist erforderlich.")
    organisation = service.organisation
    department = intake.department or service.department
    if department.organisation_id != organisation.pk:
        raise CaseError("Der Fachbereich gehört zu einer anderen Organisation.")
    first_owner = service.owner
    if department.pk != service.department_id:
        first_owner = department.intake_owner or department_lead(department) or service.owner
    holder = resolve_holder(first_owner, timezone.localdate())
    with staged_documents(organisation.pk, intake.attachments) as attachments:
        yield Opening(replace(intake, attachments=attachments), department, holder)


def open_case(intake: Intake | Opening, *, actor: Actor) -> Case:
    """Open a case for ``intake`` in one transaction and return it.

    The receipt (file number shown, mail flagged, ...) must only be given after
    this returns: then the case, its history and its side effects are committed.
    """
    if isinstance(intake, Opening):
        return _write(intake, actor)
    with opening(intake) as prepared:
        return _write(prepared, actor)


def _write(prepared: Opening, actor: Actor) -> Case:
    intake, holder, department = prepared.intake, prepared.holder, prepared.department
    service = intake.service
    organisation = service.organisation
    with transaction.atomic():
        now = timezone.now()
        received = intake.received_at or now
        intake_day = timezone.localdate(received)
        file_number, seq = next_file_number(organisation, service, intake_day.year)
        case = Case(
            organisation=organisation,
            file_number=file_number,
            year=intake_day.year,
            sequence=seq,
            service=service,
            department=department,
            owner=holder.staff,
            regular_owner=holder.regular_owner,
            channel=intake.channel,
            status=Status.NEW,
            priority=intake.priority,
            subject=intake.subject.strip()[:300],
            text=intake.text,
            form_data=intake.form_data,
            tags=list(intake.tags),
            requester_name=intake.requester.name,
            requester_email=intake.requester.email.strip().lower(),
            requester_phone=intake.requester.phone,
            requester_address=intake.requester.address,
            requester_account=intake.requester.account,
            location_address=intake.location.address,
            latitude=intake.location.latitude,
            longitude=intake.location.longitude,
            created_at=received,
            updated_at=now,
            deadline=deadline_for(
                intake_day, service.deadline_days, service.deadline_unit, organisation.state
            ),
            attention=intake.attention,
        )
        history = History(case, at=now)
        # Event details name codes and staff, never the requester's personal
        # data: that lives in rows erasure can anonymise without breaking the chain.
        intake_details: dict[str, Any] = {
            "channel": intake.channel,
            "service": service.code,
            "deadline": case.deadline.isoformat(),
            "attachments": len(intake.attachments),
        }
        if intake.imported:
            intake_details["imported"] = True
        history.record("intake", actor, intake_details)
        assigned: dict[str, Any] = {"owner": holder.staff.username, "rule": holder.rule}
        if holder.standing_in_for is not None:
            assigned["standing_in_for"] = holder.standing_in_for.username
        history.record("assigned", Actor.system(), assigned)
        case.save(force_insert=True)
        message = Message.objects.create(
            case=case,
            kind=MessageKind.INCOMING,
            channel=intake.channel,
            author_label=intake.requester.name or actor.label,
            subject=case.subject,
            body=intake.text,
            body_html=intake.body_html,
            created_at=received,
            message_id=intake.message_id,
            in_reply_to=intake.in_reply_to,
        )
        for attachment in intake.attachments:
            store_document(case, attachment, message=message, uploaded_by=actor.label, at=now)
        history.write()
    return case


def store_document(
    case: Case,
    new: NewDocument,
    *,
    message: Message | None,
    uploaded_by: str,
    at: dt.datetime,
    published: bool = False,
) -> Document:
    digest = hashlib.sha256(new.content).hexdigest()
    document = Document(
        case=case,
        message=message,
        name=new.name[:255],
        content_type=new.content_type,
        size=len(new.content),
        sha256=digest,
        published=published,
        uploaded_by_label=uploaded_by,
        created_at=at,
        text=new.text,
    )
    if new.stored_as:
        document.file.name = new.stored_as
    else:
        document.file.save(new.name, ContentFile(new.content), save=False)
    document.save()
    return document


@contextmanager
def staged_documents(
    organisation_id: int, documents: Sequence[NewDocument]
) -> Iterator[list[NewDocument]]:
    """Write the files of ``documents`` now, outside the transaction that will
    record them; delete them again if the block fails. Already staged ones pass."""
    field = Document._meta.get_field("file")
    written: list[str] = []
    staged: list[NewDocument] = []
    try:
        for new in documents:
            if not new.stored_as:
                digest = hashlib.sha256(new.content).hexdigest()
                name = document_name(organisation_id, digest)
                new = replace(new, stored_as=field.storage.save(name, ContentFile(new.content)))
                written.append(new.stored_as)
            staged.append(new)
        yield staged
    except BaseException:
        for name in written:
            field.storage.delete(name)
        raise
