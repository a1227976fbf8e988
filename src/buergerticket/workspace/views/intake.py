"""Telefonnotiz: staff enter a phone, counter or letter contact as a new case."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.intake import pipeline
from buergerticket.workspace.access import StaffRequest, staff_required
from buergerticket.workspace.forms import PhoneNoteForm


@staff_required
def phone_note(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    form = PhoneNoteForm(request.POST or None, organisation_id=staff.organisation_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = pipeline.Draft(
            organisation=staff.organisation,
            service=data["service"],
            channel=data["channel"],
            subject=data["subject"],
            text=data["text"],
            priority=data["priority"],
            requester=services.Requester(
                name=data["requester_name"],
                email=data["requester_email"],
                phone=data["requester_phone"],
                address=data["requester_address"],
            ),
        )
        try:
            case = pipeline.submit(draft, actor=Actor.for_staff(staff)).case
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Vorgang %(number)s angelegt.") % {"number": case.file_number}
            )
            if staff.works_cases and (
                case.department_id == staff.department_id or case.owner_id == staff.pk
            ):
                return redirect("workspace:case_detail", pk=case.pk)
            return redirect("workspace:phone_note")
    return render(
        request, "workspace/phone_note.html", {"form": form}, status=400 if form.errors else 200
    )
