"""The structure of a service's portal form as written in the catalog.

A form is a list of fields; rendering and server-side validation live in the
portal, the shape is checked here so a broken catalog never loads.
"""

from __future__ import annotations

import re
from typing import Any

from .yaml_source import LineDict, Problems, check_fields

FIELD_TYPES = frozenset(
    {"text", "textarea", "email", "tel", "number", "date", "select", "radio", "checkbox", "file"}
)
FIELD_SPEC = {
    "name": ("str", True),
    "label": ("str", True),
    "type": ("str", True),
    "required": ("bool", False),
    "help": ("str", False),
    "choices": ("list", False),
    "max_length": ("int", False),
    "min": ("int", False),
    "max": ("int", False),
    "label_en": ("str", False),
    "help_en": ("str", False),
}
# Names the portal uses for its own fields; a catalog field may not shadow them.
RESERVED_NAMES = frozenset(
    {
        "subject",
        "text",
        "name",
        "email",
        "phone",
        "address",
        "location_address",
        "latitude",
        "longitude",
        "attachments",
        "privacy",
        "website",
    }
)
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def check_form(form: list[Any], path: str, problems: Problems) -> None:
    seen: set[str] = set()
    for i, field in enumerate(form):
        here = f"{path}[{i}]"
        if not isinstance(field, dict):
            problems.add(field, here, "erwartet ein Formularfeld")
            continue
        show_if = field.get("show_if")
        # show_if is a nested mapping, checked on its own below.
        checkable = LineDict({k: v for k, v in field.items() if k != "show_if"})
        checkable.line = getattr(field, "line", 0)
        if not check_fields(checkable, here, FIELD_SPEC, problems):
            continue
        name = field["name"]
        if not _NAME.match(name):
            problems.add(field, f"{here}.name", "nur Kleinbuchstaben, Ziffern und _ erlaubt")
        if name in RESERVED_NAMES:
            problems.add(field, f"{here}.name", f"„{name}“ ist reserviert")
        if name in seen:
            problems.add(field, f"{here}.name", f"„{name}“ kommt doppelt vor")
        seen.add(name)
        if field["type"] not in FIELD_TYPES:
            problems.add(
                field,
                f"{here}.type",
                f"unbekannter Feldtyp „{field['type']}“ (erlaubt: "
                f"{', '.join(sorted(FIELD_TYPES))})",
            )
        if field["type"] in ("select", "radio") and not field.get("choices"):
            problems.add(field, f"{here}.choices", "Auswahlfelder brauchen „choices“")
        for j, choice in enumerate(field.get("choices") or []):
            if not choice_ok(choice):
                problems.add(
                    field,
                    f"{here}.choices[{j}]",
                    "erwartet einen Text oder {value: …, label: …, label_en: …}",
                )
        if field.get("choices") and field["type"] not in ("select", "radio"):
            problems.add(field, f"{here}.choices", "nur für die Feldtypen select und radio")
        if show_if is not None:
            if (
                not isinstance(show_if, dict)
                or set(show_if) - {"field", "equals"}
                or "field" not in show_if
            ):
                problems.add(field, f"{here}.show_if", "erwartet {field: NAME, equals: WERT}")
            elif show_if["field"] not in seen or show_if["field"] == name:
                problems.add(
                    field,
                    f"{here}.show_if.field",
                    f"bezieht sich auf „{show_if['field']}“, das vorher nicht definiert ist",
                )


def choice_ok(choice: Any) -> bool:
    """A choice is a plain text (value and label at once) or a mapping with a label."""
    if isinstance(choice, str):
        return bool(choice.strip())
    return (
        isinstance(choice, dict)
        and isinstance(choice.get("value"), str)
        and isinstance(choice.get("label"), str)
        and set(choice) <= {"value", "label", "label_en"}
    )
