"""Data-protection requests (DSGVO): find a person's cases, tell them what is
stored (Art. 15), erase or anonymise it (Art. 17) where the law allows, and
anonymise requester data automatically N days after closure per service.

What the law keeps: an open case is still being processed; a legal hold
stops everything; during the retention period the record must stay complete
(Art. 17 (3) b DSGVO) unless the service's rule says the requester's identity
is not part of the record (then it may be anonymised at once). After the
retention period a case may be erased, except when it must first be offered
to the public archive (that happens through the disposal run).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from buergerticket.cases import services as case_services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Document, Message, MessageKind, Status
from buergerticket.catalog.models import DisposalAction
from buergerticket.org.models import Organisation, Staff, User
from buergerticket.records.models import (
    PrivacyRequest,
    PrivacyRequestKind,
    ReadAccess,
    ServicePrivacyRule,
)
from buergerticket.records.services.disposal import append_record, retention_until

ANONYMISE, ERASE = "anonymise", "erase"


class PrivacyError(Exception):
    """German, user-facing."""


@dataclass(frozen=True)
class Person:
    """How the data subject is identified; any given identifier matches."""

    email: str = ""
    name: str = ""
    phone: str = ""
    account: User | None = None

    def q(self) -> Q:
        q = Q()
        if self.email.strip():
            q |= Q(requester_email__iexact=self.email.strip())
        if self.name.strip():
            q |= Q(requester_name__iexact=" ".join(self.name.split()))
        if self.phone.strip():
            q |= Q(requester_phone=self.phone.strip())
        if self.account is not None:
            q |= Q(requester_account=self.account)
        if not q:
            raise PrivacyError("Bitte geben Sie E-Mail-Adresse, Name, Telefon oder Konto an.")
        return q

    def extra_identifiers(self) -> list[str]:
        return [v for v in (self.email, self.name, self.phone) if v.strip()]


def person_cases(organisation: Organisation, person: Person) -> QuerySet[Case]:
    return (
        Case.objects.filter(organisation=organisation)
        .filter(person.q())
        .select_related("service", "service__file_plan", "department")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class Outcome:
    file_number: str
    subject: str
    action: str  # "anonymise", "erase" or "keep"
    reason: str
    retention_until: str | None = None


def _plan_one(case: Case, mode: str, today: dt.date, rules: set[int]) -> Outcome:
    def keep(reason: str, until: dt.date | None = None) -> Outcome:
        return Outcome(
            case.file_number, case.subject, "keep", reason, until.isoformat() if until else None
        )

    if case.status != Status.CLOSED:
        return keep("Vorgang noch in Bearbeitung; erst nach Abschluss möglich.")
    if case.legal_hold:
        return keep("Aufbewahrungssperre.")
    until = retention_until(case.closed_at, case.service.file_plan.retention_years)  # type: ignore[arg-type]
    expired = until < today
    identity_in_record = case.service_id not in rules
    if mode == ERASE and expired:
        if case.service.file_plan.disposal == DisposalAction.ARCHIVE:
            return keep(
                "Muss nach Ablauf der Aufbewahrungsfrist zuerst dem Archiv angeboten werden "
                "(Aussonderung).",
                until,
            )
        return Outcome(case.file_number, case.subject, ERASE, "Aufbewahrungsfrist abgelaufen.")
    if expired or not identity_in_record:
        if case.anonymised_at is not None:
            return keep("Bereits anonymisiert.")
        reason = (
            "Aufbewahrungsfrist abgelaufen."
            if expired
            else "Die Angaben zur Person gehören bei dieser Leistung nicht zur Akte."
        )
        return Outcome(case.file_number, case.subject, ANONYMISE, reason)
    return keep(f"Aufbewahrungspflicht bis {until:%d.%m.%Y} (Art. 17 Abs. 3 lit. b DSGVO).", until)


def plan(organisation: Organisation, person: Person, mode: str) -> list[Outcome]:
    """What an erasure request would do with each of the person's cases."""
    if mode not in (ANONYMISE, ERASE):
        raise PrivacyError("Unbekannte Art der Löschung.")
    today = timezone.localdate()
    rules = set(
        ServicePrivacyRule.objects.filter(service__organisation=organisation).values_list(
            "service_id", flat=True
        )
    )
    return [_plan_one(case, mode, today, rules) for case in person_cases(organisation, person)]


def _check_officer(staff: Staff, organisation: Organisation) -> None:
    if staff.organisation_id != organisation.pk or not (
        staff.has_role("datenschutz") or staff.has_role("administration")
    ):
        raise PrivacyError("Nur Datenschutz oder Administration dürfen das.")


def erase(
    organisation: Organisation,
    person: Person,
    *,
    mode: str,
    staff: Staff,
    reference: str,
    only: set[str] | None = None,
) -> PrivacyRequest:
    """Carry out an erasure request; returns its record with the outcome per case.

    ``only`` limits it to these file numbers (the officer's selection).
    """
    _check_officer(staff, organisation)
    if not reference.strip():
        raise PrivacyError("Bitte geben Sie den Bezug an (z. B. Aktenzeichen des Antrags).")
    actor = Actor.for_staff(staff)
    outcomes: list[dict[str, Any]] = []
    cases = {case.file_number: case for case in person_cases(organisation, person)}
    for outcome in plan(organisation, person, mode):
        if only is not None and outcome.file_number not in only:
            continue
        result = asdict(outcome)
        case = cases[outcome.file_number]
        try:
            if outcome.action == ANONYMISE:
                case_services.anonymise_case(
                    case,
                    actor=actor,
                    reason=f"DSGVO-Antrag {reference}",
                    also_redact=person.extra_identifiers(),
                )
                result["done"] = True
            elif outcome.action == ERASE:
                with transaction.atomic():
                    summary = case_services.dispose_case(case, actor=actor)
                    append_record(
                        summary,
                        action="erasure",
                        reason=f"DSGVO Art. 17 – {reference}",
                        approved_by=f"{staff.username} – {staff.name}",
                    )
                result["done"] = True
            else:
                result["done"] = False
        except (case_services.CaseError, case_services.CasePermissionDenied) as exc:
            result.update(done=False, action="keep", reason=str(exc))
        result.pop("subject", None)  # the record of the request holds no content
        outcomes.append(result)
    return PrivacyRequest.objects.create(
        organisation=organisation,
        kind=PrivacyRequestKind.ERASE if mode == ERASE else PrivacyRequestKind.ANONYMISE,
        reference=reference.strip()[:200],
        performed_by=staff,
        performed_by_label=f"{staff.username} – {staff.name}",
        at=timezone.now(),
        outcomes=outcomes,
    )


# --- Art. 15: access ----------------------------------------------------------


def _safe(name: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", name).strip("._")[:100] or "datei"


def access_export(
    organisation: Organisation, person: Person, *, staff: Staff, reference: str
) -> tuple[bytes, PrivacyRequest]:
    """A ZIP with everything stored about the person (Art. 15 DSGVO).

    Internal notes go to ``intern/``: they are personal data too, but may hold
    other people's data or deliberations, so the officer reviews them before
    handing the export out (Art. 15 (4)).
    """
    _check_officer(staff, organisation)
    if not reference.strip():
        raise PrivacyError("Bitte geben Sie den Bezug an (z. B. Aktenzeichen des Antrags).")
    cases = list(person_cases(organisation, person))
    today = timezone.localdate()
    summary: dict[str, Any] = {
        "organisation": organisation.name,
        "created_at": timezone.localtime().isoformat(),
        "reference": reference,
        "cases": [],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for case in cases:
            folder = _safe(case.file_number)
            until = (
                retention_until(case.closed_at, case.service.file_plan.retention_years)
                if case.closed_at
                else None
            )
            entry: dict[str, Any] = {
                "file_number": case.file_number,
                "purpose": case.service.name,
                "source": case.get_channel_display(),
                "received_at": timezone.localtime(case.created_at).isoformat(),
                "status": case.get_status_display(),
                "processed_by": f"{case.department.code} – {case.department.name}",
                "stored_until": until.isoformat()
                if until
                else "bis zum Abschluss, danach nach Aktenplan",
                "retention_expired": bool(until and until < today),
                "personal_data": {
                    "name": case.requester_name,
                    "email": case.requester_email,
                    "phone": case.requester_phone,
                    "address": case.requester_address,
                    "location": case.location_address,
                },
                "subject": case.subject,
                "text": case.text,
                "form_data": case.form_data,
                "messages": [],
                "documents": [],
                "read_accesses": ReadAccess.objects.filter(case=case).count(),
            }
            for message in Message.objects.filter(case=case).order_by("created_at", "id"):
                internal = message.kind == MessageKind.NOTE
                path = f"{'intern/' if internal else ''}{folder}/nachricht-{message.pk}.txt"
                archive.writestr(path, f"{message.subject}\n\n{message.body}\n")
                entry["messages"].append(
                    {
                        "kind": message.get_kind_display(),
                        "at": timezone.localtime(message.created_at).isoformat(),
                        "file": path,
                        "internal": internal,
                    }
                )
            for document in Document.objects.filter(case=case).exclude(file=""):
                path = f"{folder}/dokumente/{document.pk}-{_safe(document.name)}"
                with document.file.open("rb") as handle:
                    archive.writestr(path, handle.read())
                entry["documents"].append({"name": document.name, "file": path})
            summary["cases"].append(entry)
        archive.writestr("auskunft.json", json.dumps(summary, ensure_ascii=False, indent=2))
        archive.writestr("auskunft.txt", _readable(summary))
    request = PrivacyRequest.objects.create(
        organisation=organisation,
        kind=PrivacyRequestKind.ACCESS,
        reference=reference.strip()[:200],
        performed_by=staff,
        performed_by_label=f"{staff.username} – {staff.name}",
        at=timezone.now(),
        outcomes=[{"file_number": c.file_number, "action": "exported"} for c in cases],
    )
    return buffer.getvalue(), request


def _readable(summary: dict[str, Any]) -> str:
    lines = [
        f"Auskunft nach Art. 15 DSGVO – {summary['organisation']}",
        f"Erstellt: {summary['created_at'][:16].replace('T', ' ')}   Bezug: {summary['reference']}",
        "",
        f"Zu Ihrer Person sind {len(summary['cases'])} Vorgänge gespeichert.",
        "",
    ]
    for case in summary["cases"]:
        lines += [
            f"Vorgang {case['file_number']}: {case['subject']}",
            f"  Zweck: {case['purpose']} "
            f"(Eingang über {case['source']}, {case['received_at'][:10]})",
            f"  Bearbeitet von: {case['processed_by']}; Status: {case['status']}",
            f"  Gespeichert bis: {case['stored_until']}",
            f"  Nachrichten: {len(case['messages'])}; Dokumente: {len(case['documents'])}",
            "",
        ]
    return "\n".join(lines)


# --- automatic anonymisation --------------------------------------------------


def anonymise_due(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Worker job: anonymise closed cases whose service rule's days have passed."""
    now = now or timezone.now()
    count = 0
    for rule in ServicePrivacyRule.objects.select_related("service"):
        cutoff = now - dt.timedelta(days=rule.anonymise_after_days)
        ids = list(
            Case.objects.filter(
                service=rule.service,
                status=Status.CLOSED,
                legal_hold=False,
                anonymised_at__isnull=True,
                closed_at__lte=cutoff,
            ).values_list("pk", flat=True)[: limit - count]
        )
        actor = Actor.system(
            f"Datenschutz: Anonymisierung {rule.anonymise_after_days} Tage nach Abschluss"
        )
        for pk in ids:
            try:
                case_services.anonymise_case(
                    pk, actor=actor, reason=f"Regel der Leistung {rule.service.code}"
                )
                count += 1
            except case_services.CaseError:
                continue  # reopened or put on hold meanwhile
        if count >= limit:
            break
    return count


def set_rule(service: Any, days: int | None) -> ServicePrivacyRule | None:
    if days is None:
        ServicePrivacyRule.objects.filter(service=service).delete()
        return None
    if days < 0:
        raise PrivacyError("Die Anzahl der Tage darf nicht negativ sein.")
    rule, _created = ServicePrivacyRule.objects.update_or_create(
        service=service, defaults={"anonymise_after_days": days}
    )
    return rule
