"""Contract lookup for staff: data, changes sent to billing, linked citizen accounts."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.automation import forms
from buergerticket.automation.contracts import selectors
from buergerticket.automation.contracts.services import (
    ContractError,
    change_installment,
    link_account,
    unlink_account,
)
from buergerticket.automation.models import Contract
from buergerticket.cases import selectors as case_selectors
from buergerticket.cases import services as case_services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Status
from buergerticket.cases.permissions import can_work
from buergerticket.org.models import User
from buergerticket.workspace.access import StaffRequest, case_worker_required, role_required

ROLES = ("sachbearbeitung", "leitung", "administration")


@role_required(*ROLES)
def contract_list(request: StaffRequest) -> HttpResponse:
    organisation = request.staff.organisation
    form = forms.ContractSearchForm(request.GET or None)
    contracts: list[Contract] = []
    if form.is_valid() and form.cleaned_data["q"]:
        contracts = selectors.search(organisation, form.cleaned_data["q"])
    return render(
        request,
        "automation/contract_list.html",
        {
            "form": form,
            "contracts": contracts,
            "searched": bool(request.GET.get("q")),
            "last_import": selectors.last_import(organisation),
            "count": Contract.objects.filter(organisation=organisation).count(),
        },
    )


def _contract(request: StaffRequest, number: str) -> Contract:
    contract = selectors.contract_by_number(request.staff.organisation, number)
    if contract is None:
        raise Http404
    return contract


@role_required(*ROLES)
def contract_detail(request: StaffRequest, number: str) -> HttpResponse:
    contract = _contract(request, number)
    form = forms.LinkAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wanted = form.cleaned_data["account"].strip()
        users = User.objects.filter(Q(username=wanted) | Q(email__iexact=wanted))
        if users.count() != 1:
            form.add_error(
                "account", _("Kein eindeutiges Kundenkonto mit diesem Namen oder dieser Adresse.")
            )
        else:
            try:
                link_account(contract, users.get(), by=request.staff.name)
            except ContractError as exc:
                form.add_error("account", str(exc))
            else:
                messages.success(request, _("Kundenkonto verknüpft."))
                return redirect("automation:contract_detail", number=contract.number)
    return render(
        request,
        "automation/contract_detail.html",
        {
            "contract": contract,
            "changes": contract.changes.select_related("case").order_by("-created_at")[:50],
            "accounts": contract.accounts.select_related("user"),
            "form": form,
            "open_change": selectors.open_change(contract),
        },
        status=400 if form.errors else 200,
    )


@role_required(*ROLES)
@require_POST
def unlink(request: StaffRequest, number: str, user_id: int) -> HttpResponse:
    contract = _contract(request, number)
    user = User.objects.filter(pk=user_id).first()
    if user is None or not unlink_account(contract, user):
        raise Http404
    messages.success(request, _("Verknüpfung entfernt."))
    return redirect("automation:contract_detail", number=contract.number)


@case_worker_required
@require_POST
def change_for_case(request: StaffRequest, pk: int) -> HttpResponse:
    """The clerk's own installment change from a case: same connector, recorded on the case."""
    staff = request.staff
    try:
        case = case_selectors.case_for_staff(staff, pk)
    except Case.DoesNotExist:
        raise Http404 from None
    form = forms.InstallmentForm(request.POST)
    if not can_work(staff, case) or case.status == Status.CLOSED:
        messages.error(request, _("Dieser Vorgang kann nicht bearbeitet werden."))
    elif not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("Abschlag nicht geändert: %(errors)s") % {"errors": errors})
    else:
        data = form.cleaned_data
        contract = selectors.contract_by_number(case.organisation, data["contract"])
        if contract is None:
            messages.error(request, _("Vertrag %(n)s gibt es nicht.") % {"n": data["contract"]})
        else:
            actor = Actor.for_staff(staff)
            try:
                with transaction.atomic():
                    change = change_installment(
                        contract,
                        new_installment=data["amount"],
                        effective_from=data["effective_from"],
                        actor=actor,
                        case=case,
                    )
                    case_services.record_event(
                        case,
                        actor=actor,
                        type="contract_changed",
                        details={
                            "contract": contract.pk,
                            "contract_change": change.pk,
                            "connector": change.connector,
                            "old": str(change.old_installment),
                            "new": str(change.new_installment),
                            "effective_from": change.effective_from.isoformat(),
                        },
                        reason="Abschlag von Hand geändert",
                    )
            except (ContractError, case_services.CaseError) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Abschlag geändert und an die Abrechnung übergeben."))
    return redirect("workspace:case_detail", pk=case.pk)
