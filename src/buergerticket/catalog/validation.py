"""Checking a catalog document completely before anything is written.

Every problem is collected with its line and path; the loader applies the
document only when this finds nothing.
"""

from __future__ import annotations

from typing import Any

from buergerticket.catalog.forms_schema import check_form
from buergerticket.catalog.models import ClosedReply, DeadlineUnit, DisposalAction, Location
from buergerticket.catalog.yaml_source import (
    DEPARTMENT_FIELDS,
    FILE_PLAN_FIELDS,
    ORGANISATION_FIELDS,
    SERVICE_FIELDS,
    STAFF_FIELDS,
    Problems,
    check_fields,
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


def check_file_number_pattern(pattern: str) -> str | None:
    """None if ``pattern`` can number files, else a German explanation."""
    if "{seq" not in pattern or "{year}" not in pattern:
        return "muss {seq…} und {year} enthalten (Folge je Organisation und Jahr)"
    try:
        pattern.format(file_plan="10.00.00", seq=1, year=2026, org="x", department="X")
    except (KeyError, IndexError, ValueError) as exc:
        return f"ist kein gültiges Muster ({exc})"
    return None


def validate(document: Any, problems: Problems) -> None:
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


def lead_of(code: str, departments: dict[str, Any], staff: dict[str, Any]) -> str | None:
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
            lead_of(svc["department"], departments, staff) is None
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
