"""``buergerticket load-catalog``: organisations, departments, staff and services from YAML.

Loading is all-or-nothing and idempotent: the whole document is checked first
(every problem listed with its line), then applied in one transaction, and a
second run with the same file changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models, transaction

from buergerticket.catalog.models import (
    ClosedReply,
    DeadlineUnit,
    DisposalAction,
    FilePlanEntry,
    Location,
    Service,
)
from buergerticket.catalog.validation import lead_of, validate
from buergerticket.catalog.yaml_source import (
    parse,
)
from buergerticket.org.models import (
    Department,
    Organisation,
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
        validate(document, problems)
    if problems:
        raise CatalogError(problems.items)
    report = LoadReport()
    with transaction.atomic():
        for org_doc in document["organisations"]:
            _apply_organisation(org_doc, report)
    return report


# --- applying -------------------------------------------------------------


def _upsert(
    report: LoadReport,
    kind: str,
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    given: Iterable[str] | None = None,
) -> Any:
    """Create with all ``values``; on update change only the keys the file ``given``.

    Optional keys missing from the file then keep what an administrator set in
    the UI (e.g. a service's automation switch) instead of snapping back to
    their defaults on every reload.
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        report.created[kind] += 1
        return obj
    if given is not None:
        keep = set(given) | {"organisation"}
        values = {k: v for k, v in values.items() if k in keep}
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
        given=doc.keys(),
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
            given=dep.keys(),
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
            given=person.keys(),
        )
    for existing in org.staff.select_related("user"):
        staff.setdefault(existing.user.username, existing)
    for person in doc["staff"]:
        deputy = staff[person["deputy"]] if person.get("deputy") else None
        _upsert(report, "deputy", Staff, {"pk": staff[person["username"]].pk}, {"deputy": deputy})
    by_name = {name: p for name, p in ((p["username"], p) for p in doc["staff"])}
    for dep in doc["departments"]:
        lead_name = lead_of(dep["code"], {d["code"]: d for d in doc["departments"]}, by_name)
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
            report,
            "file_plan",
            FilePlanEntry,
            {"organisation": org, "code": code},
            values,
            given=entry.keys() if entry else values.keys(),
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
            given=svc.keys(),
        )
