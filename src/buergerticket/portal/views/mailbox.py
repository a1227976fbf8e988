"""The requester's side of a case: tracking links, status, Bürgerpostfach, replies."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.cases import selectors as case_selectors
from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Channel, Status
from buergerticket.cases.signals import case_read
from buergerticket.catalog.models import ClosedReply
from buergerticket.portal import forms, limits, presentation, selectors, tracking
from buergerticket.portal.models import TrackingLink
from buergerticket.portal.views.common import page


def track(request: HttpRequest, org: str, token: str) -> HttpResponse:
    """A private link: remember it in the session and continue without the token in the URL."""
    organisation = selectors.organisation(org)
    if limits.tracking_failures_exceeded(request):
        return page(request, organisation, "portal/link_invalid.html", {"limited": True}, 429)
    link = tracking.find(token)
    if link is None or link.case.organisation_id != organisation.pk:
        limits.tracking_failed(request)
        return page(request, organisation, "portal/link_invalid.html", status=404)
    TrackingLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    ids = selectors.tracked_link_ids(request)
    if link.pk not in ids:
        request.session[selectors.SESSION_LINKS] = [*ids, link.pk][-20:]
    return redirect("portal:case", org=org, pk=link.case_id)


def _can_reply(case: Case) -> bool:
    return case.status != Status.CLOSED or case.service.closed_reply == ClosedReply.REOPEN


def case_page(
    request: HttpRequest,
    org: str,
    pk: int,
    reply_form: forms.ReplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organisation = selectors.organisation(org)
    try:
        access = selectors.case_for_visitor(request, organisation, pk)
    except Http404:
        if not request.user.is_authenticated and not selectors.tracked_link_ids(request):
            return redirect_to_login(request.get_full_path(), reverse("portal:login", args=[org]))
        raise
    case = access.case
    if request.method == "GET":
        case_read.send(
            sender=case_page,
            case=case,
            staff=None,
            user=request.user if request.user.is_authenticated else None,
            document=None,
            channel="portal",
        )
    today, soon = case_selectors.deadline_bounds(organisation)
    form = reply_form or forms.ReplyForm(max_files=settings.PORTAL_UPLOAD_MAX_FILES)
    forms.annotate(form)
    return page(
        request,
        organisation,
        "portal/case.html",
        {
            "case": case,
            "access": access,
            "status": presentation.status_text(case),
            "deadline_state": case_selectors.deadline_state(case, today, soon),
            "answers": presentation.form_answers(case),
            "mailbox": selectors.mailbox_messages(case),
            "documents": list(selectors.mailbox_documents(case)),
            "reply_form": form,
            "can_reply": _can_reply(case),
        },
        status,
    )


@require_POST
def reply(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = selectors.organisation(org)
    case = selectors.case_for_visitor(request, organisation, pk).case
    form = forms.ReplyForm(request.POST, request.FILES, max_files=settings.PORTAL_UPLOAD_MAX_FILES)
    if not limits.reply_allowed(request):
        form.accept_files = False
        form.is_valid()
        form.add_error(None, limits.too_many_message())
        return case_page(request, org, pk, form, 429)
    if not form.is_valid():
        return case_page(request, org, pk, form, 400)
    if not _can_reply(case):
        form.add_error(
            None,
            _("Dieses Anliegen ist abgeschlossen. Bitte stellen Sie ein neues Anliegen."),
        )
        return case_page(request, org, pk, form, 400)
    actor = Actor.requester()
    try:
        with transaction.atomic():
            if case.status == Status.CLOSED:
                services.reopen(case, actor=actor, reason=_("Rückmeldung über das Bürgerportal"))
            services.add_incoming_message(
                case,
                actor=actor,
                channel=Channel.PORTAL,
                body=form.cleaned_data["body"].strip(),
                subject=_("Nachricht über das Bürgerportal"),
                attachments=[f.as_document() for f in form.checked],
            )
    except services.CaseError as exc:
        form.add_error(None, str(exc))
        return case_page(request, org, pk, form, 400)
    messages.success(request, _("Ihre Nachricht ist eingegangen. Vielen Dank."))
    return redirect(reverse("portal:case", kwargs={"org": org, "pk": pk}) + "#postfach")


def document(request: HttpRequest, org: str, pk: int, document_id: int) -> FileResponse:
    organisation = selectors.organisation(org)
    case = selectors.case_for_visitor(request, organisation, pk).case
    doc = get_object_or_404(selectors.mailbox_documents(case), pk=document_id)
    case_read.send(
        sender=document,
        case=case,
        staff=None,
        user=request.user if request.user.is_authenticated else None,
        document=doc,
        channel="portal",
    )
    response = FileResponse(
        doc.file.open("rb"), as_attachment=True, filename=doc.name, content_type=doc.content_type
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@require_POST
def revoke(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The requester blocks every private link to the case (e.g. a mail was forwarded)."""
    organisation = selectors.organisation(org)
    access = selectors.case_for_visitor(request, organisation, pk)
    case = access.case
    with transaction.atomic():
        count = tracking.revoke_all(case, by=_("Antragsteller:in"))
        services.record_event(
            case,
            actor=Actor.requester(),
            type="tracking_links_revoked",
            details={"count": count, "by": "requester"},
        )
    request.session[selectors.SESSION_LINKS] = []
    return page(request, organisation, "portal/link_revoked.html", {"case": case})


@require_POST
def forget(request: HttpRequest, org: str) -> HttpResponse:
    """ "Done": this browser forgets the private links and the receipt (shared computers)."""
    selectors.organisation(org)
    request.session.pop(selectors.SESSION_LINKS, None)
    messages.info(request, _("Dieser Browser hat den Zugang zu Ihrem Anliegen vergessen."))
    response = redirect("portal:catalog", org=org)
    response.delete_cookie("bt_receipt", path=f"/{org}/")
    return response


def my_cases(request: HttpRequest, org: str) -> HttpResponse:
    organisation = selectors.organisation(org)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:login", args=[org]))
    cases = list(selectors.account_cases(request, organisation)[:200])
    for case in cases:
        case.portal_status = presentation.status_text(case)  # type: ignore[attr-defined]
    return page(request, organisation, "portal/my_cases.html", {"cases": cases})
