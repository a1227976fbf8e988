"""The intake pipeline every channel uses to turn a new request into a case.

    draft ──► preprocessors (routing, rules) ──► open_case ──► postprocessors (automation)

Preprocessors run before the case exists and may decide its service, department,
priority and tags; what they decided is recorded in the case's history in the
same transaction that opens it. Postprocessors run after the case is committed
and act like a clerk, through the case services; a failing postprocessor leaves
the case with its human owner and records why.

Channels (portal, e-mail, phone, API, Open311) build a :class:`Draft` and call
:func:`submit`. They never write case tables themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from buergerticket.cases import services
from buergerticket.cases.history import Actor, write_count
from buergerticket.cases.models import Case, Priority
from buergerticket.catalog.models import Service
from buergerticket.core.memo import Memo
from buergerticket.intake import steps
from buergerticket.org.models import Department, Organisation

log = logging.getLogger("buergerticket.intake")


@dataclass
class Decision:
    """Something a preprocessor decided, to be written to the history."""

    type: str  # e.g. "routed", "rule_fired"
    actor: Actor
    details: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


@dataclass
class Draft:
    """A request on its way in; mutable until it becomes a case."""

    organisation: Organisation
    channel: str
    subject: str
    text: str = ""
    service: Service | None = None
    requester: services.Requester = field(default_factory=services.Requester)
    location: services.Location = field(default_factory=services.Location)
    priority: int = Priority.NORMAL
    department: Department | None = None
    form_data: dict[str, Any] = field(default_factory=dict)
    attachments: Sequence[services.NewDocument] = ()
    tags: list[str] = field(default_factory=list)
    received_at: dt.datetime | None = None
    message_id: str = ""
    in_reply_to: str = ""
    body_html: str = ""
    attention: str = ""
    # Channel-specific facts preprocessors may look at (e.g. sender domain, headers).
    meta: dict[str, Any] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    # Channel bookkeeping that must commit or roll back together with the case
    # (the e-mail channel records here that a mail became this case, and links it).
    on_open: list[Callable[[Case], None]] = field(default_factory=list)

    def decide(self, decision: Decision) -> None:
        self.decisions.append(decision)


@dataclass
class IntakeResult:
    case: Case
    automated: bool = False
    # Why automation stopped and left the case to a human (e.g. "arrears").
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)


PreProcessor = Callable[[Draft], None]
PostProcessor = Callable[[Case, Draft, IntakeResult], None]
_pre: list[tuple[int, PreProcessor]] = []
_post: list[tuple[int, PostProcessor]] = []


def register_preprocessor(processor: PreProcessor, *, order: int = 100) -> None:
    if all(p is not processor for _, p in _pre):
        _pre.append((order, processor))
        _pre.sort(key=lambda item: item[0])


def register_postprocessor(processor: PostProcessor, *, order: int = 100) -> None:
    if all(p is not processor for _, p in _post):
        _post.append((order, processor))
        _post.sort(key=lambda item: item[0])


_fallbacks: Memo[Service | None] = Memo("intake.fallback_service")


def fallback_service(organisation: Organisation) -> Service:
    service = _fallbacks.get(organisation.pk, lambda: _load_fallback(organisation))
    if service is None:
        raise services.CaseError(
            f"{organisation.name} hat keine Auffangleistung (fallback) im Katalog."
        )
    return service


def _load_fallback(organisation: Organisation) -> Service | None:
    return (
        # Everything open_case and the assignment read, in one query.
        Service.objects.select_related(
            "organisation",
            "department",
            "file_plan",
            "owner__user",
            "owner__department",
            "owner__deputy",
        )
        .filter(organisation=organisation, fallback=True, active=True)
        .first()
    )


def submit(draft: Draft, *, actor: Actor) -> IntakeResult:
    """Open the case for ``draft``; returns after the case is committed."""
    return steps.run(submit_steps(draft, actor=actor))


def submit_steps(draft: Draft, *, actor: Actor) -> steps.Steps[IntakeResult]:
    """:func:`submit` as steps (see :mod:`buergerticket.intake.steps`)."""
    for _, pre in _pre:
        pre(draft)
    if draft.service is None:
        draft.service = fallback_service(draft.organisation)
    intake = services.Intake(
        service=draft.service,
        channel=draft.channel,
        subject=draft.subject,
        text=draft.text,
        requester=draft.requester,
        location=draft.location,
        priority=draft.priority,
        form_data=draft.form_data,
        attachments=draft.attachments,
        tags=draft.tags,
        received_at=draft.received_at,
        message_id=draft.message_id,
        in_reply_to=draft.in_reply_to,
        body_html=draft.body_html,
        attention=draft.attention,
        department=draft.department,
    )
    with services.opening(intake) as prepared:
        yield steps.WRITE
        with transaction.atomic():
            case = services.open_case(prepared, actor=actor)
            for decision in draft.decisions:
                services.record_event(
                    case,
                    actor=decision.actor,
                    type=decision.type,
                    details=decision.details,
                    reason=decision.reason,
                )
            for hook in draft.on_open:
                hook(case)
        # Inside the block: files written for the case go again if the commit fails.
        yield steps.COMMIT
    result = IntakeResult(case=case)
    writes = write_count()
    for _, post in _post:
        try:
            post(case, draft, result)
        except Exception as exc:
            # The request is safe (committed); automation just leaves it to a human.
            log.exception("Nachverarbeitung %s für %s fehlgeschlagen", post, case.file_number)
            services.record_event(
                case,
                actor=Actor.system("Automatik"),
                type="automation_failed",
                details={"processor": getattr(post, "__name__", str(post))},
                reason=f"{type(exc).__name__}: {exc}"[:500],
            )
            result.reason = result.reason or "automation_error"
    # Post-processors change the case through the write path, on their own copy:
    # read it again only if anything was written (most intakes stay as opened).
    if write_count() != writes:
        case = Case.objects.select_related("organisation", "service", "department", "owner").get(
            pk=case.pk
        )
    result.case = case
    return result
