"""Open311 service definitions from the catalog's form fields, and checking submitted attributes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from buergerticket.catalog.models import Service

# Catalog field type → GeoReport datatype. File fields have no attribute:
# Open311 clients send pictures as ``media_url``.
DATATYPES = {
    "text": "string",
    "email": "string",
    "tel": "string",
    "textarea": "text",
    "number": "number",
    "date": "datetime",
    "select": "singlevaluelist",
    "radio": "singlevaluelist",
    "checkbox": "singlevaluelist",
}


class AttributeProblem(ValueError):
    """A submitted attribute is missing or invalid (German message)."""


def _choices(field: dict[str, Any]) -> list[dict[str, str]]:
    if field.get("type") == "checkbox" and not field.get("choices"):
        return [{"key": "true", "name": "ja"}, {"key": "false", "name": "nein"}]
    values = []
    for choice in field.get("choices") or []:
        if isinstance(choice, dict):
            key = str(choice.get("value", choice.get("key", choice.get("label", ""))))
            name = str(choice.get("label", choice.get("name", key)))
        else:
            key = name = str(choice)
        values.append({"key": key, "name": name})
    return values


def fields(service: Service) -> list[dict[str, Any]]:
    form = service.form if isinstance(service.form, list) else []
    return [f for f in form if isinstance(f, dict) and f.get("type") in DATATYPES and f.get("name")]


def has_metadata(service: Service) -> bool:
    return bool(fields(service))


def definition(service: Service) -> dict[str, Any]:
    attributes = []
    for order, field in enumerate(fields(service), start=1):
        datatype = DATATYPES[field["type"]]
        if field["type"] == "checkbox" and field.get("choices"):
            datatype = "multivaluelist"
        attribute: dict[str, Any] = {
            "variable": True,
            "code": field["name"],
            "datatype": datatype,
            # A field shown only under a condition cannot be required unconditionally.
            "required": bool(field.get("required")) and "show_if" not in field,
            "datatype_description": str(field.get("help", "")),
            "order": order,
            "description": str(field.get("label", field["name"])),
        }
        if datatype in ("singlevaluelist", "multivaluelist"):
            attribute["values"] = _choices(field)
        attributes.append(attribute)
    return {"service_code": service.code, "attributes": attributes}


def _check(field: dict[str, Any], datatype: str, values: list[str]) -> Any:
    label = field.get("label", field["name"])
    if datatype == "multivaluelist":
        allowed = {c["key"] for c in _choices(field)}
        wrong = [v for v in values if v not in allowed]
        if wrong:
            raise AttributeProblem(
                f"attribute[{field['name']}]: „{wrong[0]}“ ist kein erlaubter Wert."
            )
        return values
    value = values[-1].strip()
    if datatype == "singlevaluelist":
        allowed = {c["key"] for c in _choices(field)}
        if value not in allowed:
            raise AttributeProblem(
                f"attribute[{field['name']}]: „{value[:50]}“ ist für „{label}“ nicht erlaubt "
                f"(erlaubt: {', '.join(sorted(allowed))})."
            )
        return (
            value == "true"
            if field.get("type") == "checkbox" and not field.get("choices")
            else value
        )
    if datatype == "number":
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise AttributeProblem(
                f"attribute[{field['name']}]: bitte eine Zahl angeben."
            ) from None
        if not number.is_finite():
            raise AttributeProblem(f"attribute[{field['name']}]: bitte eine Zahl angeben.")
        if ("min" in field and number < field["min"]) or ("max" in field and number > field["max"]):
            raise AttributeProblem(
                f"attribute[{field['name']}]: Wert außerhalb des erlaubten Bereichs."
            )
        return str(number)
    if datatype == "datetime":
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise AttributeProblem(
                f"attribute[{field['name']}]: bitte Datum/Uhrzeit nach ISO 8601 angeben."
            ) from None
        return parsed.date().isoformat() if field.get("type") == "date" else parsed.isoformat()
    limit = int(field.get("max_length") or 4000)
    if len(value) > limit:
        raise AttributeProblem(f"attribute[{field['name']}]: höchstens {limit} Zeichen.")
    return value


def parse(service: Service, submitted: dict[str, list[str]]) -> dict[str, Any]:
    """Form data for the case from ``attribute[code]`` values; raises :class:`AttributeProblem`."""
    known = {f["name"]: f for f in fields(service)}
    unknown = sorted(set(submitted) - set(known))
    if unknown:
        raise AttributeProblem(f"attribute[{unknown[0][:40]}] ist für diese Leistung unbekannt.")
    result: dict[str, Any] = {}
    definitions = {a["code"]: a for a in definition(service)["attributes"]}
    for name, field in known.items():
        values = [v for v in submitted.get(name, []) if v.strip()]
        if not values:
            if definitions[name]["required"]:
                raise AttributeProblem(f"attribute[{name}] ({field.get('label', name)}) fehlt.")
            continue
        result[name] = _check(field, definitions[name]["datatype"], values)
    return result
