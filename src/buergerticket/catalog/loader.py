"""``buergerticket load-catalog``: organisations, departments, staff and services from YAML.

Loading is all-or-nothing and idempotent: the whole document is checked first
(every problem listed with its line), then applied in one transaction, and a
second run with the same file changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models, transaction

from buergerticket.catalog.forms_schema import check_form
from buergerticket.catalog.models import (
    ClosedReply,
    DeadlineUnit,
    DisposalAction,
    FilePlanEntry,
    Location,
    Service,
)
from buergerticket.catalog.yaml_source import (
    DEPARTMENT_FIELDS,
    FILE_PLAN_FIELDS,
    ORGANISATION_FIELDS,
    SERVICE_FIELDS,
    STAFF_FIELDS,
    Problems,
    check_fields,
    parse,
)
from buergerticket.org.models import (
    RESERVED_SLUGS,
    Department,
    FederalState,
    Organisation,
    Role,
    Staff,
    User,
)


class CatalogError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": self.unchanged,
        }


def load_catalog_file(path: str | Path) -> LoadReport:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError([f"{path}: kann nicht gelesen werden ({exc})"]) from exc
    return load_catalog_text(text, str(path))


def load_catalog_text(text: str, source: str = "katalog.yaml") -> LoadReport:
    document, problems = parse(text, source)
    if not problems:
        _validate(document, problems)
    if problems:
        raise CatalogError(problems.items)
    report = LoadReport()
    with transaction.atomic():
        for org_doc in document["organisations"]:
            _apply_organisation(org_doc, report)
    return report


# --- validation -----------------------------------------------------------


def check_file_number_pattern(pattern: str) -> str | None:
    """None if ``pattern`` can number files, else a German explanation."""
    if "{seq" not in pattern or "{year}" not in pattern:
        return "muss {seq…} und {year} enthalten (Folge je Organisation und Jahr)"
    try:
        pattern.format(file_plan="10.00.00", seq=1, year=2026, org="x", department="X")
    except (KeyError, IndexError, ValueError) as exc:
        return f"ist kein gültiges Muster ({exc})"
    return None


def _validate(document: Any, problems: Problems) -> None:
    if not isinstance(document, dict) or not isinstance(document.get("organisations"), list):
        problems.add(document, "organisations", "die Datei braucht eine Liste „organisations“")
        return
    usernames: dict[str, str] = {}
    for i, org in enumerate(document["organisations"]):
        path = f"organisations[{i}]"
        if check_fields(org, path, ORGANISATION_FIELDS, problems):
            _validate_organisation(org, path, problems, usernames)


def _validate_organisation(
    org: dict[str, Any], path: str, problems: Problems, usernames: dict[str, str]
) -> None:
    slug = org["slug"]
    if slug in RESERVED_SLUGS or not slug.replace("-", "").isalnum() or slug != slug.lower():
        problems.add(org, f"{path}.slug", f"„{slug}“ ist als Kennung nicht erlaubt")
    if message := check_file_number_pattern(
        org.get("file_number_pattern", "{file_plan}-{seq:05d}/{year}")
    ):
        problems.add(org, f"{path}.file_number_pattern", message)
    if org.get("state", "NW") not in FederalState.values:
        problems.add(
            org,
            f"{path}.state",
            f"unbekanntes Bundesland „{org['state']}“ (erlaubt: {', '.join(FederalState.values)})",
        )
    existing = Organisation.objects.filter(slug=slug).first()
    departments = {}
    for j, dep in enumerate(org["departments"]):
        here = f"{path}.departments[{j}]"
        if check_fields(dep, here, DEPARTMENT_FIELDS, problems):
            if dep["code"] in departments:
                problems.add(dep, f"{here}.code", f"Fachbereich „{dep['code']}“ doppelt")
            departments[dep["code"]] = dep
    if existing:
        for dep_obj in existing.departments.all():
            departments.setdefault(dep_obj.code, {"code": dep_obj.code})
    staff: dict[str, dict[str, Any]] = {}
    for j, person in enumerate(org["staff"]):
        here = f"{path}.staff[{j}]"
        if not check_fields(person, here, STAFF_FIELDS, problems):
            continue
        name = person["username"]
        if name in staff or usernames.get(name, slug) != slug:
            problems.add(person, f"{here}.username", f"Benutzername „{name}“ ist doppelt")
        usernames[name] = slug
        staff[name] = person
        other = (
            Staff.objects.filter(user__username=name)
            .exclude(organisation__slug=slug)
            .select_related("organisation")
            .first()
        )
        if other or User.objects.filter(username=name, staff__isnull=True).exists():
            problems.add(
                person,
                f"{here}.username",
                f"Benutzername „{name}“ ist in dieser Installation schon vergeben"
                + (f" ({other.organisation.slug})" if other else ""),
            )
        if person["department"] not in departments:
            problems.add(
                person, f"{here}.department", f"unbekannter Fachbereich „{person['department']}“"
            )
        for role in person["roles"]:
            if role not in Role.values:
                problems.add(
                    person,
                    f"{here}.roles",
                    f"unbekannte Rolle „{role}“ (erlaubt: {', '.join(Role.values)})",
                )
    known_staff = set(staff)
    if existing:
        known_staff |= set(existing.staff.values_list("user__username", flat=True))
    for j, person in enumerate(org["staff"]):
        if (
            isinstance(person, dict)
            and person.get("deputy")
            and person["deputy"] not in known_staff
        ):
            problems.add(
                person, f"{path}.staff[{j}].deputy", f"unbekannte Vertretung „{person['deputy']}“"
            )
        if isinstance(person, dict) and person.get("deputy") == person.get("username"):
            problems.add(person, f"{path}.staff[{j}].deputy", "niemand vertritt sich selbst")
    for j, dep in enumerate(org["departments"]):
        for key in ("lead", "intake_owner"):
            if isinstance(dep, dict) and dep.get(key) and dep[key] not in known_staff:
                problems.add(
                    dep, f"{path}.departments[{j}].{key}", f"unbekannte Person „{dep[key]}“"
                )
    for j, entry in enumerate(org.get("file_plan") or []):
        here = f"{path}.file_plan[{j}]"
        if (
            check_fields(entry, here, FILE_PLAN_FIELDS, problems)
            and entry.get("disposal", "delete") not in DisposalAction.values
        ):
            problems.add(entry, f"{here}.disposal", "erlaubt: delete, archive")
    _validate_services(org, path, problems, departments, staff, known_staff)


def _lead_of(code: str, departments: dict[str, Any], staff: dict[str, Any]) -> str | None:
    explicit = departments.get(code, {}).get("lead")
    if explicit:
        return str(explicit)
    return next(
        (name for name, p in staff.items() if p["department"] == code and Role.LEAD in p["roles"]),
        None,
    )


def _validate_services(
    org: dict[str, Any],
    path: str,
    problems: Problems,
    departments: dict[str, Any],
    staff: dict[str, Any],
    known_staff: set[str],
) -> None:
    codes: set[str] = set()
    fallbacks = 0
    choices = {
        "deadline_unit": DeadlineUnit.values,
        "location": Location.values,
        "closed_reply": ClosedReply.values,
    }
    for j, svc in enumerate(org["services"]):
        here = f"{path}.services[{j}]"
        if not check_fields(svc, here, SERVICE_FIELDS, problems):
            continue
        if svc["code"] in codes:
            problems.add(svc, f"{here}.code", f"Leistung „{svc['code']}“ doppelt")
        codes.add(svc["code"])
        fallbacks += bool(svc.get("fallback"))
        if svc["department"] not in departments:
            problems.add(
                svc, f"{here}.department", f"unbekannter Fachbereich „{svc['department']}“"
            )
        elif (
            _lead_of(svc["department"], departments, staff) is None
            and not Department.objects.filter(
                organisation__slug=org["slug"], code=svc["department"], lead__isnull=False
            ).exists()
        ):
            problems.add(
                svc,
                f"{here}.department",
                f"Fachbereich „{svc['department']}“ hat keine Leitung (Rolle leitung), "
                "an die Vorgänge zuletzt gehen könnten",
            )
        if svc["owner"] not in known_staff:
            problems.add(svc, f"{here}.owner", f"unbekannte Person „{svc['owner']}“")
        for key, allowed in choices.items():
            if key in svc and svc[key] not in allowed:
                problems.add(svc, f"{here}.{key}", f"erlaubt: {', '.join(allowed)}")
        if svc.get("form"):
            check_form(svc["form"], f"{here}.form", problems)
    if fallbacks > 1:
        problems.add(org, f"{path}.services", "höchstens eine Leistung darf „fallback“ sein")


# --- applying -------------------------------------------------------------


def _upsert(
    report: LoadReport,
    kind: str,
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
) -> Any:
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        report.created[kind] += 1
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.save(update_fields=changed)
        report.updated[kind] += 1
    else:
        report.unchanged += 1
    return obj


def _apply_organisation(doc: dict[str, Any], report: LoadReport) -> None:
    org = _upsert(
        report,
        "organisation",
        Organisation,
        {"slug": doc["slug"]},
        {
            "name": doc["name"],
            "mailbox": doc.get("mailbox", ""),
            "file_number_pattern": doc.get("file_number_pattern", "{file_plan}-{seq:05d}/{year}"),
            "state": doc.get("state", "NW"),
            "imprint": doc.get("imprint", ""),
            "privacy_notice": doc.get("privacy_notice", ""),
            "accessibility_statement": doc.get("accessibility_statement", ""),
        },
    )
    departments = {}
    for dep in doc["departments"]:
        departments[dep["code"]] = _upsert(
            report,
            "department",
            Department,
            {"organisation": org, "code": dep["code"]},
            {
                "name": dep["name"],
                "triage": dep.get("triage", False),
                "internal": dep.get("internal", False),
            },
        )
    for dep_obj in org.departments.all():
        departments.setdefault(dep_obj.code, dep_obj)
    staff = {}
    for person in doc["staff"]:
        user = User.objects.filter(username=person["username"]).first()
        if user is None:
            user = User(username=person["username"], email=person.get("email", ""))
            user.set_unusable_password()
            user.save()
        staff[person["username"]] = _upsert(
            report,
            "staff",
            Staff,
            {"user": user},
            {
                "organisation": org,
                "department": departments[person["department"]],
                "name": person["name"],
                "email": person.get("email", ""),
                "roles": list(person["roles"]),
                "active": person.get("active", True),
            },
        )
    for existing in org.staff.select_related("user"):
        staff.setdefault(existing.user.username, existing)
    for person in doc["staff"]:
        deputy = staff[person["deputy"]] if person.get("deputy") else None
        _upsert(report, "deputy", Staff, {"pk": staff[person["username"]].pk}, {"deputy": deputy})
    by_name = {name: p for name, p in ((p["username"], p) for p in doc["staff"])}
    for dep in doc["departments"]:
        lead_name = _lead_of(dep["code"], {d["code"]: d for d in doc["departments"]}, by_name)
        _upsert(
            report,
            "department_lead",
            Department,
            {"pk": departments[dep["code"]].pk},
            {
                "lead": staff[lead_name] if lead_name else departments[dep["code"]].lead,
                "intake_owner": staff[dep["intake_owner"]] if dep.get("intake_owner") else None,
            },
        )
    file_plan = {}
    declared = {e["code"]: e for e in doc.get("file_plan") or []}
    codes = list(declared) + [
        s["file_plan"] for s in doc["services"] if s["file_plan"] not in declared
    ]
    for code in codes:
        entry = declared.get(code, {})
        values = (
            {"title": entry.get("title", "")}
            if entry or not FilePlanEntry.objects.filter(organisation=org, code=code).exists()
            else {}
        )
        if entry:
            values.update(
                {
                    "retention_years": entry.get("retention_years", 10),
                    "disposal": entry.get("disposal", DisposalAction.DELETE),
                }
            )
        file_plan[code] = _upsert(
            report, "file_plan", FilePlanEntry, {"organisation": org, "code": code}, values
        )
    # Non-fallback services first, so moving the fallback flag never trips the
    # one-fallback-per-organisation constraint halfway through.
    for svc in sorted(doc["services"], key=lambda s: bool(s.get("fallback"))):
        _upsert(
            report,
            "service",
            Service,
            {"organisation": org, "code": svc["code"]},
            {
                "name": svc["name"],
                "department": departments[svc["department"]],
                "owner": staff[svc["owner"]],
                "file_plan": file_plan[svc["file_plan"]],
                "deadline_days": svc["deadline_days"],
                "deadline_unit": svc.get("deadline_unit", DeadlineUnit.WORKING_DAYS),
                "fee_eur": Decimal(str(svc["fee_eur"])).quantize(Decimal("0.01"))
                if svc.get("fee_eur") is not None
                else None,
                "legal_act": svc.get("legal_act", False),
                "internal": svc.get("internal", False),
                "public": svc.get("public", not svc.get("internal", False)),
                "fallback": svc.get("fallback", False),
                "open311": svc.get("open311", False),
                "location": svc.get("location", Location.NONE),
                "sensitive": svc.get("sensitive", False),
                "allow_anonymous": svc.get("allow_anonymous", True),
                "closed_reply": svc.get("closed_reply", ClosedReply.REOPEN),
                "automation": svc.get("automation", ""),
                "automation_enabled": svc.get("automation_enabled", True),
                "description": svc.get("description", ""),
                "requirements": svc.get("requirements", ""),
                "keywords": svc.get("keywords", ""),
                "form": svc.get("form", []),
                "active": svc.get("active", True),
            },
        )
