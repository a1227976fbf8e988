"""Sign-off for legal acts: decision drafts, co-signature, final signature, release.

Rules (ARCHITECTURE.md, property 5 — a legal act is released only by a human
with the right role, four-eyes where configured):

- every change of the document makes a new Fassung with its own SHA-256;
  signatures on the previous Fassung are voided, and say so in the history;
- a co-signature is never given by the document's author;
- the final signature needs the task's role (``schlusszeichnung`` by default)
  and, where four-eyes applies (always for ``legal_act`` services, else per
  model version), a person other than the author;
- the decision can be sent — and the case marked *entschieden* — only while
  the current Fassung carries a valid final signature.

Each signature is a case event (``co_signature`` / ``final_signature``) with
who, when and the document's hash.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from buergerticket.cases import services as case_services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Status
from buergerticket.cases.permissions import can_work
from buergerticket.cases.services import check_open, lock_case
from buergerticket.org.models import Role, Staff
from buergerticket.processes import decisions
from buergerticket.processes.models import (
    Decision,
    HumanTask,
    ProcessInstance,
    Signature,
    SignatureKind,
    TaskKind,
)


class SignOffDenied(case_services.CasePermissionDenied):
    """This person may not sign (role, four-eyes); German, user-facing."""


def role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def four_eyes_required(case: Case, instance: ProcessInstance | None) -> bool:
    if case.service.legal_act:
        return True
    return bool(instance and instance.version and instance.version.four_eyes)


def current_decision(case: Case | int) -> Decision | None:
    case_id = case if isinstance(case, int) else case.pk
    return (
        Decision.objects.select_related("author", "author__user")
        .filter(case_id=case_id, superseded_at__isnull=True)
        .order_by("-number")
        .first()
    )


def has_valid_final_signature(decision: Decision | None) -> bool:
    if decision is None:
        return False
    return decision.signatures.filter(
        kind=SignatureKind.FINAL_SIGNATURE, voided_at__isnull=True, sha256=decision.sha256
    ).exists()


def draft_decision(
    case: Case | int,
    *,
    staff: Staff,
    tenor: str,
    reasoning: str = "",
    template: str = "",
    instance: ProcessInstance | None = None,
) -> tuple[Decision, bool]:
    """Create (or change) the decision document; returns (Fassung, signatures voided).

    Unchanged text makes no new Fassung (and voids nothing).
    """
    if not tenor.strip():
        raise case_services.CaseError("Bitte geben Sie die Entscheidung (Tenor) an.")
    with transaction.atomic():
        locked = lock_case(case if isinstance(case, int) else case.pk)
        if not can_work(staff, locked):
            raise case_services.CasePermissionDenied(
                "Sie dürfen den Bescheid dieses Vorgangs nicht bearbeiten."
            )
        check_open(locked)
        previous = current_decision(locked)
        if previous is not None and previous.sent_at is not None:
            raise case_services.CaseError(
                "Der Bescheid ist bereits versandt und kann nicht mehr geändert werden."
            )
        template = decisions.template_name(template or (previous.template if previous else ""))
        if (
            previous is not None
            and previous.tenor == tenor.strip()
            and previous.reasoning == reasoning.strip()
            and previous.template == template
        ):
            return previous, False
        now = timezone.now()
        number = (previous.number + 1) if previous else 1
        subject = f"Bescheid – {locked.service.name}"[:300]
        pdf = decisions.render_pdf(
            locked,
            template=template,
            tenor=tenor,
            reasoning=reasoning,
            author=staff,
            number=number,
            today=timezone.localdate(now),
            subject=subject,
        )
        digest = hashlib.sha256(pdf).hexdigest()
        decision = Decision(
            organisation_id=locked.organisation_id,
            case=locked,
            instance=instance,
            number=number,
            template=template,
            subject=subject,
            tenor=tenor.strip(),
            reasoning=reasoning.strip(),
            sha256=digest,
            size=len(pdf),
            author=staff,
            created_at=now,
        )
        voided: list[Signature] = []
        if previous is not None:
            previous.superseded_at = now
            previous.save(update_fields=["superseded_at"])
            voided = list(previous.signatures.filter(voided_at__isnull=True))
            previous.signatures.filter(voided_at__isnull=True).update(
                voided_at=now, void_reason=f"Bescheid geändert (Fassung {number})"
            )
        decision.file.save(f"bescheid-{number}.pdf", ContentFile(pdf), save=False)
        decision.save()
        actor = Actor.for_staff(staff)
        case_services.record_event(
            locked.pk,
            actor=actor,
            type="decision_drafted",
            details={
                "decision": decision.pk,
                "number": number,
                "sha256": digest,
                "previous_sha256": previous.sha256 if previous else None,
            },
        )
        if voided:
            case_services.record_event(
                locked.pk,
                actor=actor,
                type="signatures_voided",
                details={
                    "decision": previous.pk if previous else None,
                    "number": previous.number if previous else None,
                    "sha256": previous.sha256 if previous else None,
                    "signatures": [{"kind": s.kind, "signer": s.signer.username} for s in voided],
                },
                reason=f"Bescheid geändert (Fassung {number})",
            )
    return decision, bool(voided)


def check_can_sign(task: HumanTask, staff: Staff, decision: Decision | None) -> None:
    """Raise :class:`SignOffDenied` unless ``staff`` may sign ``task`` now."""
    kind = task.kind
    what = "die Schlusszeichnung" if kind == TaskKind.FINAL_SIGNATURE else "die Mitzeichnung"
    if decision is None:
        raise case_services.CaseError("Es liegt noch kein Bescheidentwurf vor.")
    required = task.role or (Role.SIGNER if kind == TaskKind.FINAL_SIGNATURE else "")
    if required and not staff.has_role(required):
        raise SignOffDenied(f"Für {what} fehlt Ihnen die Rolle „{role_label(required)}“.")
    author_signing = decision.author_id == staff.pk
    if author_signing and (
        kind == TaskKind.CO_SIGNATURE or four_eyes_required(task.case, task.instance)
    ):
        raise SignOffDenied(
            f"Sie haben den Bescheid (Fassung {decision.number}) selbst verfasst. Nach dem "
            f"Vier-Augen-Prinzip muss eine andere Person {what} leisten."
        )


def sign(task: HumanTask, *, staff: Staff, approved: bool, comment: str = "") -> Signature | None:
    """Sign (or refuse to sign) the current Fassung for ``task``.

    Callers hold the case lock (task completion does).
    """
    case = task.case
    decision = current_decision(case)
    check_can_sign(task, staff, decision)
    assert decision is not None
    kind = (
        SignatureKind.FINAL_SIGNATURE
        if task.kind == TaskKind.FINAL_SIGNATURE
        else SignatureKind.CO_SIGNATURE
    )
    actor = Actor.for_staff(staff)
    details: dict[str, object] = {
        "decision": decision.pk,
        "number": decision.number,
        "sha256": decision.sha256,
        "task": task.pk,
    }
    if not approved:
        if not comment.strip():
            raise case_services.CaseError("Bitte begründen Sie, warum Sie nicht zeichnen.")
        case_services.record_event(
            case.pk,
            actor=actor,
            type="signature_refused",
            details={**details, "kind": kind},
            reason=comment.strip()[:500],
        )
        return None
    role = task.role or (Role.SIGNER if kind == SignatureKind.FINAL_SIGNATURE else "")
    updated = case_services.record_event(
        case.pk,
        actor=actor,
        type=str(kind),
        details={**details, "role": role},
        reason=comment.strip()[:500],
    )
    return Signature.objects.create(
        decision=decision,
        kind=kind,
        signer=staff,
        role=role,
        at=timezone.now(),
        sha256=decision.sha256,
        event_seq=updated.last_event_seq,
    )


def send(case_id: int, *, actor: Actor, cover_text: str = "") -> Decision:
    """Release the signed decision: to the requester's mailbox (and mail), case decided."""
    from buergerticket.processes.handlers import HandlerError

    decision = current_decision(case_id)
    if decision is None:
        raise HandlerError("Es gibt keinen Bescheid, der versandt werden könnte.")
    if decision.sent_at is not None:
        return decision
    if not has_valid_final_signature(decision):
        raise HandlerError(
            f"Der Bescheid (Fassung {decision.number}) ist nicht schlussgezeichnet; ohne "
            "gültige Schlusszeichnung wird er nicht versandt."
        )
    with decision.file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != decision.sha256:
        raise HandlerError(
            "Die gespeicherte Datei des Bescheids passt nicht zu seiner Prüfsumme; "
            "Versand abgebrochen."
        )
    message = case_services.add_reply(
        case_id,
        actor=actor,
        subject=decision.subject,
        body=cover_text
        or "Guten Tag,\n\nanbei erhalten Sie unseren Bescheid zu Ihrem Antrag.\n\n"
        "Mit freundlichen Grüßen",
        attachments=[
            case_services.NewDocument(
                name=decision.file_name, content=content, content_type="application/pdf"
            )
        ],
    )
    document = message.documents.order_by("id").first()
    now = timezone.now()
    decision.sent_at = now
    decision.sent_document_id = document.pk if document else None
    decision.save(update_fields=["sent_at", "sent_document_id"])
    case_services.record_event(
        case_id,
        actor=actor,
        type="decision_sent",
        details={
            "decision": decision.pk,
            "number": decision.number,
            "sha256": decision.sha256,
            "document": decision.sent_document_id,
        },
    )
    case = Case.objects.get(pk=case_id)
    if case.status not in (Status.DECIDED, Status.CLOSED):
        case_services.set_status(case_id, actor=actor, status=Status.DECIDED)
    return decision
