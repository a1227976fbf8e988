"""The catalog, search, a service's page with its form, the receipt, the internal portal
and the legal pages."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from buergerticket.cases import services
from buergerticket.cases.models import Case
from buergerticket.core import ratelimit
from buergerticket.intake import portal as portal_intake
from buergerticket.portal import forms, limits, search, selectors, tracking
from buergerticket.portal.views.common import page

log = logging.getLogger("buergerticket.portal")

RECEIPT_COOKIE = "bt_receipt"
RECEIPT_SALT = "buergerticket.portal.receipt"
# Only for this browser session (no expiry date) and at most two hours: on a shared
# computer the next person must not find the receipt with its private link.
RECEIPT_MAX_AGE = 2 * 3600


def catalog(request: HttpRequest, org: str) -> HttpResponse:
    organisation = selectors.organisation(org)
    query = request.GET.get("q", "").strip()[:200]
    hits = search.search(organisation, query, get_language() or "de") if query else []
    return page(
        request,
        organisation,
        "portal/catalog.html",
        {"services": list(selectors.public_services(organisation)), "query": query, "hits": hits},
    )


def internal(request: HttpRequest, org: str) -> HttpResponse:
    organisation = selectors.organisation(org)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("workspace:login"))
    if selectors.staff_of(request, organisation) is None:
        return page(request, organisation, "portal/not_found.html", status=404)
    return page(
        request,
        organisation,
        "portal/internal.html",
        {"services": list(selectors.internal_services(organisation))},
    )


def service(request: HttpRequest, org: str, code: str) -> HttpResponse:
    svc, _staff = selectors.service(request, org, code)
    organisation = svc.organisation
    user = request.user if request.user.is_authenticated else None
    context = {"service": svc, "needs_login": not svc.allow_anonymous and user is None}
    if request.method != "POST" or context["needs_login"]:
        form = forms.RequestForm(service=svc, user=user, max_files=settings.PORTAL_UPLOAD_MAX_FILES)
        return page(request, organisation, "portal/service.html", {**context, "form": form})
    form = forms.RequestForm(
        request.POST,
        request.FILES,
        service=svc,
        user=user,
        max_files=settings.PORTAL_UPLOAD_MAX_FILES,
    )
    allowed = limits.submission_allowed(request)
    if not allowed or form.is_bot:
        return _refuse(request, form, context, rate_limited=not allowed)
    if form.is_valid():
        case, token = _submit(request, form)
        if case is not None:
            forms.discard_kept(form.kept_uploads)
            return _to_receipt(org, case, token)
    form.stash_uploads()
    forms.annotate(form)
    return page(request, organisation, "portal/service.html", {**context, "form": form}, 400)


def _refuse(
    request: HttpRequest,
    form: forms.RequestForm,
    context: dict[str, Any],
    *,
    rate_limited: bool,
) -> HttpResponse:
    """Show the form again with what was typed, without reading, scanning or keeping files."""
    if rate_limited:
        message = limits.too_many_message()
    else:
        log.warning("Honeypot ausgefüllt, Einreichung verworfen (%s)", ratelimit.client_ip(request))
        message = _("Ihre Eingabe konnte nicht verarbeitet werden.")
    form.accept_files = False
    form.is_valid()
    form.add_error(None, message)
    forms.annotate(form)
    organisation = form.service.organisation
    return page(
        request,
        organisation,
        "portal/service.html",
        {**context, "form": form},
        429 if rate_limited else 400,
    )


def _submit(request: HttpRequest, form: forms.RequestForm) -> tuple[Case | None, str]:
    """Open the case; (None, "") with the error on the form when the write path refuses."""
    data = form.cleaned_data
    address, lat, lon = form.location() if "location_address" in form.fields else ("", None, None)
    user = request.user if request.user.is_authenticated else None
    submission = portal_intake.PortalRequest(
        service=form.service,
        text=data.get("text", ""),
        form_data=form.form_data(),
        name=data.get("name", ""),
        email=data.get("email", ""),
        phone=data.get("phone", ""),
        address=data.get("address", ""),
        account=user,
        location_address=address,
        latitude=lat,
        longitude=lon,
        attachments=[f.as_document() for f in form.documents()],
        language=get_language() or "de",
    )
    with tracking.receipt_token() as pending:
        try:
            result = portal_intake.submit(submission)
        except services.CaseError as exc:
            form.add_error(None, str(exc))
            return None, ""
    token = pending.token if result.case.requester_account_id is None else ""
    return result.case, token


def _to_receipt(org: str, case: Case, token: str) -> HttpResponse:
    """Redirect to the receipt page (the case is committed by now).

    What the page shows travels in a signed, HTTP-only cookie for this visitor's
    browser only; no server-side session has to be written for a submission.
    """
    response = redirect("portal:receipt", org=org)
    response.set_signed_cookie(
        RECEIPT_COOKIE,
        json.dumps({"org": org, "case": case.pk, "token": token}),
        salt=RECEIPT_SALT,
        path=f"/{org}/",
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def receipt(request: HttpRequest, org: str) -> HttpResponse:
    """Shown only after the case is committed (the submit view redirects here)."""
    organisation = selectors.organisation(org)
    try:
        raw = request.get_signed_cookie(
            RECEIPT_COOKIE, default="", salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE
        )
        data = json.loads(raw or "null")
    except (KeyError, ValueError, signing.BadSignature):
        return redirect("portal:catalog", org=org)
    if not isinstance(data, dict) or data.get("org") != org:
        return redirect("portal:catalog", org=org)
    case = (
        Case.objects.select_related("service", "organisation")
        .filter(pk=int(data.get("case") or 0), organisation=organisation)
        .first()
    )
    if case is None:
        return redirect("portal:catalog", org=org)
    token = data.get("token") or ""
    return page(
        request,
        organisation,
        "portal/receipt.html",
        {
            "case": case,
            "tracking_url": tracking.tracking_url(case, token) if token else "",
            # Through the private link, which also opens the case in this browser session.
            "case_url": reverse("portal:track", kwargs={"org": org, "token": token})
            if token
            else reverse("portal:case", kwargs={"org": org, "pk": case.pk}),
        },
    )


def legal(request: HttpRequest, org: str, kind: str) -> HttpResponse:
    organisation = selectors.organisation(org)
    texts = {
        "impressum": (_("Impressum"), organisation.imprint),
        "datenschutz": (_("Datenschutz"), organisation.privacy_notice),
        "barrierefreiheit": (
            _("Erklärung zur Barrierefreiheit"),
            organisation.accessibility_statement,
        ),
    }
    title, text = texts[kind]
    return page(
        request,
        organisation,
        "portal/legal.html",
        {
            "title": title,
            "text": text,
            "kind": kind,
            "default_template": f"portal/legal/{kind}.html",
        },
    )
