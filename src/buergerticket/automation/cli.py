"""Commands: ``import-contracts``, ``contract show|link-account``, ``import-cases``,
``train-router``, ``route``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from buergerticket.core.cli import UsageError, group, organisation, print_json


def _import_contracts(args: argparse.Namespace) -> int:
    from buergerticket.automation.contracts.csv_format import ExportFileError
    from buergerticket.automation.contracts.importing import import_contract_file

    org = organisation(args.org)
    try:
        report = import_contract_file(org, args.file, full=not args.delta)
    except ExportFileError as exc:
        raise UsageError(f"Die Datei wurde nicht importiert: {exc}") from None
    if args.json:
        print_json(report.as_dict())
    else:
        print(
            f"Verträge importiert: {report.added} neu, {report.changed} geändert, "
            f"{report.unchanged} unverändert, {len(report.rejected)} abgelehnt"
            + (f", {report.missing} nicht mehr im Export" if report.full else "")
            + "."
        )
        if report.confirmed or report.superseded:
            print(
                f"Rückmeldungen: {report.confirmed} von der Abrechnung bestätigt, "
                f"{report.superseded} von der Abrechnung überschrieben."
            )
        for row in report.rejected:
            number = f" ({row['vertragsnummer']})" if row["vertragsnummer"] else ""
            print(f"  Zeile {row['zeile']}{number}: {'; '.join(row['gruende'])}", file=sys.stderr)
    return 1 if report.rejected else 0


def _contract(org: Any, number: str) -> Any:
    from buergerticket.automation.contracts.selectors import contract_by_number

    contract = contract_by_number(org, number.strip())
    if contract is None:
        raise UsageError(f"Vertrag „{number}“ gibt es in {org.slug} nicht.")
    return contract


def _show(args: argparse.Namespace) -> int:
    from buergerticket.automation.contracts.selectors import contract_as_dict

    org = organisation(args.org)
    data = contract_as_dict(_contract(org, args.number))
    if args.json:
        print_json(data)
    else:
        print(f"Vertrag {data['vertragsnummer']} – {data['name']} ({data['sparte']})")
        print(
            f"  Abschlag {data['abschlag_eur']} EUR, Rückstand {data['rueckstand_eur']} EUR, "
            f"Status {data['status']}"
        )
        for change in data["aenderungen"]:
            print(
                f"  {change['am'][:16]}  {change['abschlag_alt']} → {change['abschlag_neu']} "
                f"ab {change['gueltig_ab']} ({change['status']}, {change['durch']})"
            )
    return 0


def _link(args: argparse.Namespace) -> int:
    from buergerticket.automation.contracts.services import ContractError, link_account
    from buergerticket.org.models import User

    org = organisation(args.org)
    contract = _contract(org, args.number)
    try:
        user = User.objects.get(username=args.user)
    except User.DoesNotExist:
        raise UsageError(f"Benutzerkonto „{args.user}“ gibt es nicht.") from None
    try:
        link_account(contract, user, by="Kommandozeile")
    except ContractError as exc:
        raise UsageError(str(exc)) from None
    print(f"Konto {user.username} ist mit Vertrag {contract.number} verknüpft.")
    return 0


def _import_cases(args: argparse.Namespace) -> int:
    from buergerticket.automation.router.importing import CaseImportError, import_cases

    org = organisation(args.org)
    try:
        report = import_cases(org, args.file)
    except CaseImportError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print_json(report.as_dict())
    else:
        print(
            f"Vorgänge importiert: {report.imported} neu, {report.skipped} bereits vorhanden, "
            f"{len(report.rejected)} abgelehnt."
        )
        for row in report.rejected:
            print(f"  Zeile {row['zeile']}: {'; '.join(row['gruende'])}", file=sys.stderr)
    return 1 if report.rejected else 0


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


def _train(args: argparse.Namespace) -> int:
    from buergerticket.automation.router.training import TrainingError, train

    org = organisation(args.org)
    try:
        model = train(org, by="Kommandozeile")
    except TrainingError as exc:
        raise UsageError(str(exc)) from None
    metrics = model.metrics
    if args.json:
        print_json(
            {
                "organisation": org.slug,
                "version": model.version,
                "examples": model.examples,
                "corrections": model.corrections,
                "algorithm": model.algorithm,
                **metrics,
            }
        )
        return 0
    print(
        f"Zuordnungsmodell v{model.version} für {org.slug} trainiert: {model.examples} Vorgänge "
        f"({model.corrections} Korrekturen), {len(model.services)} Leistungen."
    )
    print(f"Kreuzvalidierung ({metrics['folds']}-fach, Vorhersage nur für ungesehene Vorgänge):")
    print(f"  richtig zugeordnet:            {_percent(metrics['right'])}")
    print(f"  sicher falsch zugeordnet:      {_percent(metrics['confidently_wrong'])}")
    print(f"  an Auffangleistung ({metrics['fallback']}): {_percent(metrics['to_fallback'])}")
    print(f"  Trefferquote ohne Schwelle:    {_percent(metrics['accuracy'])}")
    print(f"  Schwelle der Sicherheit:       {_percent(metrics['threshold'])}")
    if metrics.get("skipped_services"):
        skipped = ", ".join(f"{c} ({n})" for c, n in metrics["skipped_services"].items())
        print(f"  zu wenige Beispiele, nicht gelernt: {skipped}")
    return 0


def _route(args: argparse.Namespace) -> int:
    from buergerticket.automation.router.routing import predict

    org = organisation(args.org)
    prediction = predict(org, args.subject, args.text)
    if prediction is None:
        raise UsageError(f"{org.slug} hat noch kein Zuordnungsmodell (train-router).")
    print_json(
        {
            "model_version": prediction.model_version,
            "service": prediction.service_code,
            "confidence": round(prediction.confidence, 4),
            "threshold": prediction.threshold,
            "confident": prediction.confident,
            "ranking": [{"service": c, "confidence": round(p, 4)} for c, p in prediction.ranking],
        }
    )
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "import-contracts", help="Vertragsdaten (CSV-Export der Abrechnung) importieren"
    )
    p.add_argument("file")
    p.add_argument("--org", required=True)
    p.add_argument(
        "--delta",
        action="store_true",
        help="nur geänderte Verträge; fehlende nicht als „nicht im Export“ markieren",
    )
    p.add_argument("--json", action="store_true", help="Bericht als JSON ausgeben")
    p.set_defaults(handler=_import_contracts)

    contract = group(subparsers, "contract", "Vertragsdaten anzeigen und verknüpfen")
    p = contract.add_parser("show", help="Vertrag anzeigen")
    p.add_argument("number")
    p.add_argument("--org", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_show)
    p = contract.add_parser("link-account", help="Kundenkonto (Portal) mit Vertrag verknüpfen")
    p.add_argument("number")
    p.add_argument("--org", required=True)
    p.add_argument("--user", required=True, help="Benutzername des Kundenkontos")
    p.set_defaults(handler=_link)

    p = subparsers.add_parser(
        "import-cases", help="Abgeschlossene Vorgänge (JSON Lines) zum Lernen importieren"
    )
    p.add_argument("file")
    p.add_argument("--org", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_import_cases)

    p = subparsers.add_parser(
        "train-router", help="Zuordnungsmodell trainieren und Kreuzvalidierung ausgeben"
    )
    p.add_argument("--org", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_train)

    p = subparsers.add_parser("route", help="Leistung für einen Text vorhersagen (ohne Vorgang)")
    p.add_argument("--org", required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--text", default="")
    p.set_defaults(handler=_route)
