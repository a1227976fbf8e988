"""Reading the catalog YAML with line numbers, and checking its shape.

Every problem is collected (not just the first) with the line and the path in
the document, so an administrator can fix a catalog in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml


class LineDict(dict[str, Any]):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict({str(k): v for k, v in loader.construct_mapping(node, deep=True).items()})
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class Problems:
    source: str
    items: list[str] = field(default_factory=list)

    def add(self, node: Any, path: str, message: str) -> None:
        line = getattr(node, "line", 0)
        where = f"{self.source}:{line}" if line else self.source
        self.items.append(f"{where}: {path}: {message}")

    def __bool__(self) -> bool:
        return bool(self.items)


def parse(text: str, source: str) -> tuple[Any, Problems]:
    problems = Problems(source)
    try:
        return yaml.load(text, Loader=_LineLoader), problems  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        problems.items.append(f"{where}: kein gültiges YAML ({getattr(exc, 'problem', exc)})")
        return None, problems


# Field specs: key -> (type, required). Types: str, bool, int, decimal, list, dict.
ORGANISATION_FIELDS = {
    "slug": ("str", True),
    "name": ("str", True),
    "mailbox": ("str", False),
    "file_number_pattern": ("str", False),
    "state": ("str", False),
    "imprint": ("str", False),
    "privacy_notice": ("str", False),
    "accessibility_statement": ("str", False),
    "file_plan": ("list", False),
    "departments": ("list", True),
    "staff": ("list", True),
    "services": ("list", True),
}
FILE_PLAN_FIELDS = {
    "code": ("str", True),
    "title": ("str", False),
    "retention_years": ("int", False),
    "disposal": ("str", False),
}
DEPARTMENT_FIELDS = {
    "code": ("str", True),
    "name": ("str", True),
    "triage": ("bool", False),
    "internal": ("bool", False),
    "lead": ("str", False),
    "intake_owner": ("str", False),
}
STAFF_FIELDS = {
    "username": ("str", True),
    "name": ("str", True),
    "department": ("str", True),
    "roles": ("list", True),
    "deputy": ("str", False),
    "email": ("str", False),
    "active": ("bool", False),
}
SERVICE_FIELDS = {
    "code": ("str", True),
    "name": ("str", True),
    "department": ("str", True),
    "owner": ("str", True),
    "file_plan": ("str", True),
    "deadline_days": ("int", True),
    "deadline_unit": ("str", False),
    "fee_eur": ("decimal", False),
    "legal_act": ("bool", False),
    "internal": ("bool", False),
    "public": ("bool", False),
    "fallback": ("bool", False),
    "open311": ("bool", False),
    "location": ("str", False),
    "sensitive": ("bool", False),
    "allow_anonymous": ("bool", False),
    "closed_reply": ("str", False),
    "automation": ("str", False),
    "automation_enabled": ("bool", False),
    "description": ("str", False),
    "requirements": ("str", False),
    "keywords": ("str", False),
    "form": ("list", False),
    "active": ("bool", False),
}


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if kind == "list":
        return isinstance(value, list)
    if kind == "decimal":
        if isinstance(value, bool):
            return False
        try:
            return Decimal(str(value)) >= 0
        except InvalidOperation:
            return False
    return False


_TYPE_NAMES = {
    "str": "Text",
    "bool": "true/false",
    "int": "ganze Zahl ≥ 0",
    "list": "Liste",
    "decimal": "Betrag ≥ 0",
}


def check_fields(
    node: Any, path: str, spec: dict[str, tuple[str, bool]], problems: Problems
) -> bool:
    """Check one mapping against ``spec``; False if it is not usable at all."""
    if not isinstance(node, dict):
        problems.add(node, path, "erwartet einen Eintrag mit Schlüsseln")
        return False
    usable = True
    for key, (kind, required) in spec.items():
        if key not in node or node[key] is None:
            if required:
                problems.add(node, path, f"Pflichtfeld „{key}“ fehlt")
                usable = False
            continue
        if not _type_ok(node[key], kind):
            problems.add(
                node, f"{path}.{key}", f"erwartet {_TYPE_NAMES[kind]}, gefunden {node[key]!r}"
            )
            usable = False
    for key in node:
        if key not in spec:
            problems.add(node, f"{path}.{key}", "unbekannter Schlüssel")
    return usable
