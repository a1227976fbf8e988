"""``buergerticket process …`` (register, library) and ``buergerticket task …``."""

from __future__ import annotations

import argparse
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from buergerticket.cases import services as case_services
from buergerticket.catalog.models import Service
from buergerticket.core.cli import UsageError, group, organisation, print_json, staff_member
from buergerticket.processes import selectors
from buergerticket.processes.services import library
from buergerticket.processes.services import register as register_service
from buergerticket.processes.services.tasks import TaskDataInvalid, complete_task, load_task
from buergerticket.processes.task_forms import post_data_from_json


def _service(org: Any, code: str | None) -> Service | None:
    if not code:
        return None
    service = Service.objects.filter(organisation=org, code=code).first()
    if service is None:
        raise UsageError(f"Leistung „{code}“ gibt es in {org.slug} nicht.")
    return service


def _export(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    service = _service(org, args.service)
    out = Path(args.out)
    if out.suffix.lower() != ".zip":
        raise UsageError(f"„{out}“: Das Paket muss auf .zip enden.")
    data = library.export_package(org, service=service)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"„{out}“ lässt sich nicht schreiben: {exc.strerror}.") from None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read(library.MANIFEST))
    print_json(
        {
            "file": str(out),
            "models": [
                {"key": m["key"], "version": m["version"], "file": m["file"], "sha256": m["sha256"]}
                for m in manifest["models"]
            ],
        }
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    path = Path(args.package)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"„{path}“ lässt sich nicht lesen: {exc.strerror}.") from None
    actor = staff_member(org, args.user) if args.user else None
    if path.suffix.lower() == ".zip":
        report = library.import_package(org, data, actor=actor, file_name=path.name)
    else:
        report = library.import_file(
            org, data, file_name=path.name, actor=actor, service=_service(org, args.service)
        )
    print_json(report.as_dict())
    return 0 if report.ok else 2


def _list_models(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    rows = []
    for model in selectors.register_models(org):
        for version in model.versions.all():
            rows.append(
                {
                    "key": model.key,
                    "name": model.name,
                    "service": model.service.code if model.service else None,
                    "version": version.number,
                    "kind": version.kind,
                    "status": version.status,
                    "errors": len(version.blocking_findings),
                }
            )
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            print(
                f"{row['key']:<28} v{row['version']:<3} {row['kind']:<5} {row['status']:<16} "
                f"{row['service'] or '—'}"
            )
    return 0


def _install(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    versions = register_service.install_bundled_models(org)
    print_json([{"key": v.model.key, "version": v.number, "status": v.status} for v in versions])
    return 0


def _task_list(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    tasks = selectors.open_tasks(org).order_by("due", "pk")
    if args.user:
        tasks = tasks.filter(assignee=staff_member(org, args.user))
    rows = [selectors.task_as_dict(t) for t in tasks[: args.limit]]
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            print(
                f"{row['id']:>6}  {row['case']:<24} {row['name'][:34]:<34} {row['assignee']:<12} "
                f"{(row['due'] or '')[:16]}"
            )
    return 0


def _task_complete(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    person = staff_member(org, args.user)
    try:
        values = json.loads(args.data) if args.data else {}
    except json.JSONDecodeError as exc:
        raise UsageError(f"--data ist kein gültiges JSON: {exc.msg}.") from None
    if not isinstance(values, dict):
        raise UsageError("--data muss ein JSON-Objekt sein, z. B. '{\"approved\": true}'.")
    try:
        task = load_task(args.task_id, org.pk)
        task = complete_task(task.pk, staff=person, data=post_data_from_json(task, values))
    except TaskDataInvalid as exc:
        raise UsageError(str(exc)) from None
    except (case_services.CaseError, case_services.CasePermissionDenied) as exc:
        raise UsageError(str(exc)) from None
    print_json(selectors.task_as_dict(load_task(task.pk, org.pk)))
    return 0


def register(subparsers: Any) -> None:
    process = group(subparsers, "process", "Prozessmodelle: Register und Prozessbibliothek")
    p = process.add_parser("export", help="Modelle als Bibliothekspaket (.zip) exportieren")
    p.add_argument("out", metavar="OUT.zip")
    p.add_argument("--org", required=True)
    p.add_argument("--service", help="nur die Modelle dieser Leistung")
    p.set_defaults(handler=_export)
    p = process.add_parser(
        "import", help="Paket oder BPMN-Datei als Entwurf importieren (Bericht als JSON)"
    )
    p.add_argument("package", metavar="PACKAGE.zip|FILE.bpmn")
    p.add_argument("--org", required=True)
    p.add_argument("--service", help="Leistung für eine einzelne BPMN-Datei")
    p.add_argument("--user", help="importiert von (Mitarbeiter:in)")
    p.set_defaults(handler=_import)
    p = process.add_parser("list", help="Modelle und Versionen des Registers")
    p.add_argument("--org", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list_models)
    p = process.add_parser(
        "install-library", help="mitgelieferte Modelle für die Leistungen registrieren"
    )
    p.add_argument("--org", required=True)
    p.set_defaults(handler=_install)

    task = group(subparsers, "task", "Aufgaben aus Prozessen")
    p = task.add_parser("list", help="offene Aufgaben auflisten")
    p.add_argument("--org", required=True)
    p.add_argument("--user", help="nur die Aufgaben dieser Person")
    p.add_argument("--limit", type=int, default=500)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_task_list)
    p = task.add_parser("complete", help="Aufgabe erledigen")
    p.add_argument("task_id", type=int, metavar="TASK_ID")
    p.add_argument("--org", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--data", help="Eingaben als JSON, z. B. '{\"approved\": true}'")
    p.set_defaults(handler=_task_complete)
