"""The process register (Prozessregister) for administration (read also for leads)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.catalog.models import Service
from buergerticket.processes import handlers, selectors
from buergerticket.processes.bpmn import layout
from buergerticket.processes.bpmn.xmlio import BpmnFileError
from buergerticket.processes.forms import (
    ModelForm,
    UploadForm,
    VersionSettingsForm,
    VersionUploadForm,
    attributes_text,
)
from buergerticket.processes.models import ProcessModel, ProcessVersion, VersionStatus
from buergerticket.processes.services import library, register
from buergerticket.workspace.access import StaffRequest, role_required

READ = ("administration", "leitung")
WRITE = ("administration",)


def _can_write(request: StaffRequest) -> bool:
    return request.staff.has_role("administration")


def _model(request: StaffRequest, pk: int) -> ProcessModel:
    try:
        return selectors.model_for(request.staff.organisation, pk)
    except ProcessModel.DoesNotExist:
        raise Http404 from None


def _version(request: StaffRequest, pk: int, number: int) -> ProcessVersion:
    try:
        return selectors.version_for(request.staff.organisation, pk, number)
    except ProcessVersion.DoesNotExist:
        raise Http404 from None


@role_required(*READ)
def register_list(request: StaffRequest) -> HttpResponse:
    organisation = request.staff.organisation
    models = selectors.register_models(organisation)
    for model in models:
        versions = list(model.versions.all())
        model.current = next(  # type: ignore[attr-defined]
            (v for v in versions if v.status == VersionStatus.PUBLISHED), None
        )
        model.latest = versions[0] if versions else None  # type: ignore[attr-defined]
    with_model = {m.service_id for m in models if m.service_id}
    return render(
        request,
        "processes/register_list.html",
        {
            "models": models,
            "services_without": Service.objects.filter(organisation=organisation)
            .exclude(pk__in=with_model)
            .order_by("name"),
            "upload_form": UploadForm(organisation=organisation),
            "can_write": _can_write(request),
            "handlers": handlers.registered(),
        },
    )


def _report_page(request: StaffRequest, report: library.Report, status: int) -> HttpResponse:
    return render(
        request, "processes/import_report.html", {"report": report.as_dict()}, status=status
    )


@role_required(*WRITE)
@require_POST
def register_import(request: StaffRequest) -> HttpResponse:
    organisation = request.staff.organisation
    form = UploadForm(request.POST, request.FILES, organisation=organisation)
    if not form.is_valid():
        models = selectors.register_models(organisation)
        return render(
            request,
            "processes/register_list.html",
            {
                "models": models,
                "upload_form": form,
                "can_write": True,
                "services_without": [],
                "handlers": handlers.registered(),
            },
            status=400,
        )
    upload = form.cleaned_data["file"]
    data = upload.read()
    name = upload.name or "upload"
    if name.lower().endswith(".zip"):
        report = library.import_package(organisation, data, actor=request.staff, file_name=name)
    else:
        report = library.import_file(
            organisation,
            data,
            file_name=name,
            actor=request.staff,
            service=form.cleaned_data["service"],
            kind=form.cleaned_data["kind"],
        )
    return _report_page(request, report, 200 if report.ok else 400)


@role_required(*READ)
def register_export(request: StaffRequest) -> HttpResponse:
    organisation = request.staff.organisation
    service = None
    models = None
    if request.GET.get("leistung"):
        service = Service.objects.filter(
            organisation=organisation, code=request.GET["leistung"]
        ).first()
        if service is None:
            raise Http404
    if request.GET.get("modell"):
        try:
            models = [_model(request, int(request.GET["modell"]))]
        except ValueError:
            raise Http404 from None
    data = library.export_package(organisation, service=service, models=models)
    name = f"prozessbibliothek-{organisation.slug}"
    if models:
        name += f"-{models[0].key}"
    elif service:
        name += f"-{service.code}"
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    return response


@role_required(*READ)
def model_detail(request: StaffRequest, pk: int) -> HttpResponse:
    model = _model(request, pk)
    organisation = request.staff.organisation
    form = ModelForm(
        initial={
            "name": model.name,
            "description": model.description,
            "service": model.service_id,
            "owner": model.owner_id,
            "attributes": attributes_text(model.attributes),
        },
        organisation=organisation,
    )
    status = 200
    if request.method == "POST":
        if not _can_write(request):
            raise Http404
        form = ModelForm(request.POST, organisation=organisation)
        if form.is_valid():
            try:
                register.update_model(
                    model,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    service=form.cleaned_data["service"],
                    owner=form.cleaned_data["owner"],
                    attributes=form.cleaned_data["attributes"],
                )
            except register.RegisterError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, _("Angaben gespeichert."))
                return redirect("processes:model", pk=model.pk)
        else:
            status = 400
    versions = list(model.versions.defer("xml", "original").order_by("-number"))
    for version in versions:
        version.running = selectors.running_count(version)  # type: ignore[attr-defined]
    return render(
        request,
        "processes/model_detail.html",
        {
            "model": model,
            "versions": versions,
            "form": form,
            "upload_form": VersionUploadForm(),
            "can_write": _can_write(request),
        },
        status=status,
    )


@role_required(*WRITE)
@require_POST
def model_upload(request: StaffRequest, pk: int) -> HttpResponse:
    model = _model(request, pk)
    form = VersionUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine BPMN-Datei."))
        return redirect("processes:model", pk=model.pk)
    upload = form.cleaned_data["file"]
    try:
        imported = register.import_version(
            model.organisation,
            upload.read(),
            file_name=upload.name or "modell.bpmn",
            key=model.key,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
            actor=request.staff,
            source="Upload",
        )
    except (BpmnFileError, register.RegisterError) as exc:
        messages.error(request, str(exc))
        return redirect("processes:model", pk=model.pk)
    if imported.unchanged:
        messages.info(request, _("Die Datei entspricht der neuesten Version; nichts geändert."))
    else:
        messages.success(request, _("Version %(n)s gespeichert.") % {"n": imported.version.number})
    return redirect("processes:version", pk=model.pk, number=imported.version.number)


def _version_context(request: StaffRequest, version: ProcessVersion) -> dict[str, Any]:
    return {
        "model": version.model,
        "version": version,
        "analysis": version.analysis or {},
        "errors": [f for f in version.findings if f.get("severity") == "error"],
        "warnings": [f for f in version.findings if f.get("severity") != "error"],
        "running": selectors.running_count(version),
        "settings_form": VersionSettingsForm(
            initial={"kind": version.kind, "four_eyes": version.four_eyes}
        ),
        "can_write": _can_write(request),
        "generated_layout": not (version.analysis or {}).get("has_diagram", True),
    }


@role_required(*READ)
def version_detail(request: StaffRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    return render(request, "processes/version_detail.html", _version_context(request, version))


@role_required(*READ)
def version_xml(request: StaffRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    what = request.GET.get("als", "")
    if what == "original":
        response = HttpResponse(bytes(version.original), content_type="application/xml")
        name = version.file_name or "modell.bpmn"
    elif what == "datei":
        response = HttpResponse(
            version.xml.encode("utf-8"), content_type="application/xml; charset=utf-8"
        )
        name = f"{version.model.key}-v{version.number}.bpmn"
    else:
        # For the diagram viewer (read by fetch), with a generated layout when the
        # model has none. Served as text: an uploaded document is never rendered
        # by the browser as XML (which could carry XHTML elements).
        try:
            xml = layout.with_diagram(version.xml)
        except Exception:  # a layout failure must not hide the model; bpmn-js reports it
            xml = version.xml
        response = HttpResponse(xml.encode("utf-8"), content_type="text/plain; charset=utf-8")
        name = ""
    if name:
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
        response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@role_required(*WRITE)
@require_POST
def version_action(request: StaffRequest, pk: int, number: int, action: str) -> HttpResponse:
    version = _version(request, pk, number)
    try:
        if action == "veroeffentlichen":
            register.publish(version, actor=request.staff)
            messages.success(
                request,
                _("Version %(n)s ist veröffentlicht; neue Vorgänge verwenden sie.")
                % {"n": version.number},
            )
        elif action == "zurueckziehen":
            register.withdraw(version)
            messages.success(request, _("Veröffentlichung zurückgezogen."))
        elif action == "pruefen":
            register.recheck(version)
            messages.success(request, _("Modell erneut geprüft."))
        elif action == "einstellungen":
            form = VersionSettingsForm(request.POST)
            if not form.is_valid():
                raise register.RegisterError(_("Bitte prüfen Sie die Angaben."))
            register.set_version_kind(
                version, form.cleaned_data["kind"], form.cleaned_data["four_eyes"]
            )
            messages.success(request, _("Einstellungen gespeichert."))
        else:
            raise Http404
    except register.RegisterError as exc:
        messages.error(request, str(exc))
    return redirect("processes:version", pk=pk, number=number)
