"""E-mail administration in the workspace: mailboxes, quarantine, log, bounces.

Administrators only, and always only their own organisation's data.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.intake import selectors
from buergerticket.intake.forms import DiscardForm, LogFilterForm, MailboxForm
from buergerticket.intake.mail import fetcher, receipts
from buergerticket.intake.mail.connection import FetchError
from buergerticket.intake.mail.ingest import retry
from buergerticket.intake.models import Mailbox, MailReceipt, Resolution, Result
from buergerticket.notify import bounces
from buergerticket.workspace.access import StaffRequest, role_required

ADMIN = "administration"
PAGE = 50


def _mailbox(request: StaffRequest, pk: int) -> Mailbox:
    try:
        return selectors.mailbox(request.staff.organisation, pk)
    except Mailbox.DoesNotExist:
        raise Http404 from None


def _receipt(request: StaffRequest, pk: int) -> MailReceipt:
    try:
        return selectors.receipt(request.staff.organisation, pk)
    except MailReceipt.DoesNotExist:
        raise Http404 from None


@role_required(ADMIN)
def overview(request: StaffRequest) -> HttpResponse:
    organisation = request.staff.organisation
    return render(
        request,
        "intake/overview.html",
        {
            "mailboxes": selectors.mailboxes(organisation),
            "counts": selectors.counts(organisation),
            "organisation": organisation,
        },
    )


@role_required(ADMIN)
def mailbox_edit(request: StaffRequest, pk: int | None = None) -> HttpResponse:
    instance = (
        _mailbox(request, pk)
        if pk is not None
        else Mailbox(organisation=request.staff.organisation)
    )
    form = MailboxForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        mailbox = form.save()
        messages.success(request, _("Postfach „%(name)s“ gespeichert.") % {"name": mailbox.name})
        return redirect("intake:mailbox_edit", pk=mailbox.pk)
    return render(
        request,
        "intake/mailbox_form.html",
        {"form": form, "mailbox": instance if instance.pk else None},
        status=400 if form.errors else 200,
    )


@role_required(ADMIN)
@require_POST
def mailbox_check(request: StaffRequest, pk: int) -> HttpResponse:
    mailbox = _mailbox(request, pk)
    try:
        messages.success(request, fetcher.check(mailbox))
    except FetchError as exc:
        messages.error(request, _("Verbindungstest fehlgeschlagen: %(reason)s") % {"reason": exc})
    return redirect("intake:mailbox_edit", pk=mailbox.pk)


@role_required(ADMIN)
@require_POST
def mailbox_fetch(request: StaffRequest, pk: int) -> HttpResponse:
    mailbox = _mailbox(request, pk)
    stats = fetcher.poll(mailbox, limit=200)
    if stats.error:
        messages.error(request, _("Abruf fehlgeschlagen: %(reason)s") % {"reason": stats.error})
    else:
        messages.success(request, _("%(count)d Nachrichten abgerufen.") % {"count": stats.fetched})
    return redirect("intake:overview")


@role_required(ADMIN)
def quarantine(request: StaffRequest) -> HttpResponse:
    rows = selectors.quarantine(request.staff.organisation)
    page = Paginator(rows, PAGE).get_page(request.GET.get("seite"))
    return render(request, "intake/quarantine.html", {"page_obj": page})


@role_required(ADMIN)
def log(request: StaffRequest) -> HttpResponse:
    form = LogFilterForm(request.GET or None)
    result = form.cleaned_data["result"] if form.is_valid() else ""
    rows = selectors.receipts(request.staff.organisation, result)
    page = Paginator(rows, PAGE).get_page(request.GET.get("seite"))
    return render(request, "intake/log.html", {"page_obj": page, "form": form, "result": result})


@role_required(ADMIN)
def receipt_detail(request: StaffRequest, pk: int) -> HttpResponse:
    receipt = _receipt(request, pk)
    return render(
        request,
        "intake/receipt.html",
        {"receipt": receipt, "preview": _preview(receipt), "discard_form": DiscardForm()},
    )


def _preview(receipt: MailReceipt) -> dict[str, str] | None:
    """What a quarantined mail says, as far as it can be read (escaped in the template)."""
    if not receipt.raw:
        return None
    from buergerticket.intake.mail.parse import UnreadableMail, parse

    try:
        with receipt.raw.open("rb") as handle:
            mail = parse(handle.read())
    except (UnreadableMail, OSError):
        return None
    return {
        "from": mail.sender.formatted() if mail.sender else "",
        "to": ", ".join(a.formatted() for a in mail.to),
        "date": mail.header("Date"),
        "subject": mail.subject,
        "text": mail.text[:5000],
        "attachments": ", ".join(a.name for a in mail.attachments),
    }


@role_required(ADMIN)
def receipt_raw(request: StaffRequest, pk: int) -> FileResponse:
    receipt = _receipt(request, pk)
    if not receipt.raw:
        raise Http404
    return FileResponse(
        receipt.raw.open("rb"),
        as_attachment=True,
        filename=f"eingang-{receipt.pk}.eml",
        content_type="message/rfc822",
    )


@role_required(ADMIN)
@require_POST
def receipt_retry(request: StaffRequest, pk: int) -> HttpResponse:
    receipt = _receipt(request, pk)
    outcome = retry(receipt)
    if outcome is None:
        messages.error(request, _("Die Nachricht ist nicht (mehr) in der Quarantäne."))
    elif outcome.result == Result.QUARANTINED:
        messages.error(request, _("Wieder in Quarantäne: %(reason)s") % {"reason": outcome.detail})
    else:
        receipts.resolve(receipt, resolution=Resolution.RETRIED, by=request.staff)
        if outcome.case is not None:
            messages.success(
                request,
                _("Übernommen: %(result)s, Vorgang %(number)s.")
                % {
                    "result": MailReceipt(result=outcome.result).get_result_display(),
                    "number": outcome.case.file_number,
                },
            )
        else:
            messages.success(request, _("Verarbeitet: %(detail)s") % {"detail": outcome.detail})
    return redirect("intake:receipt", pk=receipt.pk)


@role_required(ADMIN)
@require_POST
def receipt_discard(request: StaffRequest, pk: int) -> HttpResponse:
    receipt = _receipt(request, pk)
    form = DiscardForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "intake/receipt.html",
            {"receipt": receipt, "preview": _preview(receipt), "discard_form": form},
            status=400,
        )
    if receipts.discard(receipt, by=request.staff, note=form.cleaned_data["note"]):
        messages.success(request, _("Nachricht verworfen."))
    else:
        messages.error(request, _("Die Nachricht ist nicht (mehr) in der Quarantäne."))
    return redirect("intake:quarantine")


@role_required(ADMIN)
def bounced(request: StaffRequest) -> HttpResponse:
    rows = selectors.bounced(request.staff.organisation)
    page = Paginator(rows, PAGE).get_page(request.GET.get("seite"))
    return render(request, "intake/bounced.html", {"page_obj": page})


@role_required(ADMIN)
@require_POST
def bounced_clear(request: StaffRequest) -> HttpResponse:
    address = request.POST.get("address", "")
    if bounces.clear(request.staff.organisation, address, by=request.staff.name):
        messages.success(request, _("Sperre für %(address)s aufgehoben.") % {"address": address})
    else:
        messages.error(request, _("Diese Adresse ist nicht gesperrt."))
    return redirect("intake:bounced")
