"""Administrators' pages: API clients (tokens shown once), webhooks and their delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.api import clients
from buergerticket.api.models import (
    ApiClient,
    DeliveryStatus,
    Scope,
    Webhook,
    WebhookDelivery,
)
from buergerticket.api.views.forms import ClientForm, WebhookForm
from buergerticket.api.webhooks import registry
from buergerticket.workspace.access import StaffRequest, role_required

ADMIN = "administration"


def _client(request: StaffRequest, pk: int) -> ApiClient:
    client = ApiClient.objects.filter(organisation=request.staff.organisation, pk=pk).first()
    if client is None:
        raise Http404
    return client


def _webhook(request: StaffRequest, pk: int) -> Webhook:
    hook = Webhook.objects.filter(organisation=request.staff.organisation, pk=pk).first()
    if hook is None:
        raise Http404
    return hook


@role_required(ADMIN)
def client_list(request: StaffRequest) -> HttpResponse:
    organisation = request.staff.organisation
    form = ClientForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            created = clients.create_client(
                organisation=organisation,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                departments=list(form.cleaned_data["departments"]),
                staff=form.cleaned_data["staff"],
                created_by=request.staff.name,
            )
        except clients.ClientError as exc:
            form.add_error("name", str(exc))
        else:
            # The token is shown on this one response and never again.
            return render(
                request,
                "api/admin/secret_shown.html",
                {
                    "title": _("API-Client angelegt"),
                    "what": created.client.name,
                    "secret": created.token,
                    "secret_label": _("Token"),
                    "back": "apiadmin:clients",
                },
            )
    rows = (
        ApiClient.objects.filter(organisation=organisation)
        .select_related("staff")
        .prefetch_related("departments")
        .order_by("-active", "name")
    )
    scope_labels = dict(Scope.choices)
    return render(
        request,
        "api/admin/clients.html",
        {
            "clients": [
                {"client": c, "scopes": [scope_labels.get(s, s) for s in c.scopes]} for c in rows
            ],
            "form": form,
        },
    )


@require_POST
@role_required(ADMIN)
def client_revoke(request: StaffRequest, pk: int) -> HttpResponse:
    client = _client(request, pk)
    clients.revoke_client(client)
    messages.success(request, _("Der API-Client „%(name)s“ ist gesperrt.") % {"name": client.name})
    return redirect("apiadmin:clients")


@role_required(ADMIN)
def webhook_list(request: StaffRequest) -> HttpResponse:
    organisation = request.staff.organisation
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hook = registry.create_webhook(
                organisation=organisation,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"],
                created_by=request.staff.name,
            )
        except registry.WebhookError as exc:
            form.add_error("url", str(exc))
        else:
            return render(
                request,
                "api/admin/secret_shown.html",
                {
                    "title": _("Webhook angelegt"),
                    "what": hook.url,
                    "secret": hook.secret,
                    "secret_label": _("Signatur-Geheimnis"),
                    "back": "apiadmin:webhooks",
                },
            )
    hooks = Webhook.objects.filter(organisation=organisation).order_by("-active", "url")
    failed = {
        row["webhook"]: row["n"]
        for row in WebhookDelivery.objects.filter(
            organisation=organisation, status=DeliveryStatus.FAILED
        )
        .values("webhook")
        .annotate(n=Count("pk"))
    }
    return render(
        request,
        "api/admin/webhooks.html",
        {"hooks": [{"hook": h, "failed": failed.get(h.pk, 0)} for h in hooks], "form": form},
    )


@role_required(ADMIN)
def webhook_detail(request: StaffRequest, pk: int) -> HttpResponse:
    hook = _webhook(request, pk)
    deliveries = hook.deliveries.select_related("case").prefetch_related("tries")
    status = request.GET.get("status", "")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries.order_by("-created_at", "-pk"), 25).get_page(
        request.GET.get("seite")
    )
    return render(
        request,
        "api/admin/webhook_detail.html",
        {
            "hook": hook,
            "page_obj": page,
            "status": status,
            "statuses": DeliveryStatus.choices,
        },
    )


@require_POST
@role_required(ADMIN)
def webhook_toggle(request: StaffRequest, pk: int) -> HttpResponse:
    hook = _webhook(request, pk)
    registry.update_webhook(hook, active=not hook.active)
    if hook.active:
        messages.success(request, _("Der Webhook ist wieder aktiv."))
    else:
        messages.success(request, _("Der Webhook ist deaktiviert."))
    return redirect("apiadmin:webhook_detail", pk=hook.pk)


@require_POST
@role_required(ADMIN)
def webhook_delete(request: StaffRequest, pk: int) -> HttpResponse:
    hook = _webhook(request, pk)
    registry.delete_webhook(hook)
    messages.success(request, _("Der Webhook ist gelöscht."))
    return redirect("apiadmin:webhooks")


@require_POST
@role_required(ADMIN)
def delivery_retry(request: StaffRequest, pk: int, delivery_id: int) -> HttpResponse:
    hook = _webhook(request, pk)
    delivery = hook.deliveries.filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404
    try:
        registry.retry_delivery(delivery)
    except registry.WebhookError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Die Zustellung wird erneut versucht."))
    return redirect("apiadmin:webhook_detail", pk=hook.pk)
