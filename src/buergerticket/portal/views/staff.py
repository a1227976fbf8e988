"""Staff side of the Bürgerpostfach: a panel on the workspace case page to publish
documents, send a reply with documents, and block private links.

Each action calls one write-path service and returns to the case page.
"""

from __future__ import annotations

from django import forms as djforms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, MessageKind, Status
from buergerticket.portal import presentation, tracking, uploads
from buergerticket.portal.forms import INPUT, MultipleFileField, MultipleFileInput
from buergerticket.portal.models import TrackingLink
from buergerticket.workspace.access import StaffRequest, case_worker_required
from buergerticket.workspace.views.cases import load_case


class PublishUploadForm(djforms.Form):
    file = djforms.FileField(
        label=gettext_lazy("Dokument (PDF oder Bild)"),
        widget=djforms.ClearableFileInput(attrs={**INPUT, "accept": "application/pdf,image/*"}),
    )


class ReplyWithDocumentsForm(djforms.Form):
    body = djforms.CharField(
        label=gettext_lazy("Nachricht an die antragstellende Person"),
        max_length=20000,
        widget=djforms.Textarea(attrs={**INPUT, "rows": "4"}),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Dokumente anhängen"),
        required=False,
        widget=MultipleFileInput(attrs={**INPUT, "accept": "application/pdf,image/*"}),
    )


def panel(request: StaffRequest, case: Case) -> list[str]:
    """Workspace case panel (registered in PortalConfig.ready)."""
    documents = list(case.documents.all())
    # What colleagues or third parties wrote in: the clerk decides whether to show it.
    hidden = list(
        case.messages.filter(kind=MessageKind.INCOMING, shared=False).order_by("created_at", "pk")
    )
    active_links = TrackingLink.objects.filter(case=case, revoked_at__isnull=True).count()
    html = render_to_string(
        "portal/staff/panel.html",
        {
            "case": case,
            "documents": documents,
            "hidden_messages": hidden,
            "upload_form": PublishUploadForm(auto_id="mailbox-upload-%s"),
            "reply_form": ReplyWithDocumentsForm(auto_id="mailbox-reply-%s"),
            "active_links": active_links,
            "is_open": case.status != Status.CLOSED,
            "answers": presentation.form_answers(case),
        },
        request=request,
    )
    return [html]


def _back(case: Case) -> HttpResponse:
    return redirect("workspace:case_detail", pk=case.pk)


def _error(request: StaffRequest, case: Case, text: str) -> HttpResponse:
    messages.error(request, text)
    return _back(case)


@case_worker_required
@require_POST
def publish(request: StaffRequest, pk: int, document_id: int) -> HttpResponse:
    case = load_case(request, pk)
    document = get_object_or_404(case.documents, pk=document_id)
    try:
        services.publish_document(case, actor=Actor.for_staff(request.staff), document=document)
    except (services.CaseError, services.CasePermissionDenied) as exc:
        return _error(request, case, str(exc))
    messages.success(
        request, _("„%(name)s“ ist im Postfach veröffentlicht.") % {"name": document.name}
    )
    return _back(case)


@case_worker_required
@require_POST
def share(request: StaffRequest, pk: int, message_id: int) -> HttpResponse:
    case = load_case(request, pk)
    message = get_object_or_404(case.messages, pk=message_id)
    try:
        services.share_message(case, actor=Actor.for_staff(request.staff), message=message)
    except (services.CaseError, services.CasePermissionDenied) as exc:
        return _error(request, case, str(exc))
    messages.success(request, _("Die Nachricht steht jetzt im Postfach."))
    return _back(case)


@case_worker_required
@require_POST
def upload(request: StaffRequest, pk: int) -> HttpResponse:
    case = load_case(request, pk)
    form = PublishUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _error(request, case, _("Bitte wählen Sie eine Datei aus."))
    try:
        checked = uploads.check_upload(form.cleaned_data["file"])
        services.add_document(
            case,
            actor=Actor.for_staff(request.staff),
            document=checked.as_document(),
            published=True,
        )
    except uploads.UploadRejected as exc:
        return _error(request, case, str(exc))
    except (services.CaseError, services.CasePermissionDenied) as exc:
        return _error(request, case, str(exc))
    messages.success(
        request, _("„%(name)s“ ist im Postfach veröffentlicht.") % {"name": checked.name}
    )
    return _back(case)


@case_worker_required
@require_POST
def reply(request: StaffRequest, pk: int) -> HttpResponse:
    case = load_case(request, pk)
    form = ReplyWithDocumentsForm(request.POST, request.FILES)
    if not form.is_valid():
        return _error(request, case, _("Bitte schreiben Sie eine Nachricht."))
    files = request.FILES.getlist("attachments")
    if len(files) > settings.PORTAL_UPLOAD_MAX_FILES:
        return _error(
            request,
            case,
            _("Bitte höchstens %(count)s Dateien anhängen.")
            % {"count": settings.PORTAL_UPLOAD_MAX_FILES},
        )
    try:
        documents = [uploads.check_upload(f).as_document() for f in files]
        services.add_reply(
            case,
            actor=Actor.for_staff(request.staff),
            body=form.cleaned_data["body"],
            attachments=documents,
        )
    except uploads.UploadRejected as exc:
        return _error(request, case, str(exc))
    except (services.CaseError, services.CasePermissionDenied) as exc:
        return _error(request, case, str(exc))
    messages.success(
        request,
        _("Antwort mit %(count)s Dokument(en) ins Postfach gestellt.") % {"count": len(documents)},
    )
    return _back(case)


@case_worker_required
@require_POST
def revoke_links(request: StaffRequest, pk: int) -> HttpResponse:
    case = load_case(request, pk)
    actor = Actor.for_staff(request.staff)
    try:
        with transaction.atomic():
            count = tracking.revoke_all(case, by=request.staff.name)
            services.record_event(
                case,
                actor=actor,
                type="tracking_links_revoked",
                details={"count": count, "by": request.staff.username},
            )
    except (services.CaseError, services.CasePermissionDenied) as exc:
        return _error(request, case, str(exc))
    messages.success(request, _("Alle privaten Links zu diesem Vorgang sind gesperrt."))
    return _back(case)
