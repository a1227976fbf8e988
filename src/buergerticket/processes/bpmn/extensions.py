"""What a flow node says about who does it, which handler runs it and its form.

Read from the XML by namespace URI, because Spiff exposes only ``lane`` and
its own extensions. We understand:

- assignment: BPMN ``potentialOwner`` (``resourceRef`` to a named resource or
  a formal expression ``name`` / ``group(name)`` / ``user(login)``), Camunda 7,
  Activiti and Flowable ``candidateGroups``/``candidateUsers``/``assignee``,
  Zeebe ``assignmentDefinition``, and finally the lane's name;
- service tasks: ``bt:handler`` with ``bt:param`` children, Camunda external
  tasks (``camunda:type="external" camunda:topic``) with literal input
  parameters, Zeebe ``taskDefinition type``;
- forms: Camunda ``formData/formField`` (string, long, boolean, date, enum);
- sign-off: ``bt:signOff`` = ``draft`` | ``co_signature`` | ``final_signature``,
  ``bt:template`` for the decision document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from . import BPMN_NS, BT_NS, CAMUNDA_NS, SPIFF_NS, ZEEBE_NS, local_name, namespace, q

SIGN_OFF_KINDS = ("draft", "co_signature", "final_signature")
FIELD_TYPES = ("string", "long", "boolean", "date", "enum", "text")
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,59}$")
_EXPRESSION = re.compile(r"[$#]\{")


def _attr(element: etree._Element, name: str, namespaces: tuple[str, ...] | str) -> str | None:
    for ns in (namespaces,) if isinstance(namespaces, str) else namespaces:
        value = element.get(f"{{{ns}}}{name}")
        if value is not None:
            return value
    return None


def _extension_children(element: etree._Element) -> list[etree._Element]:
    ext = element.find(q("extensionElements"))
    return [] if ext is None else [c for c in ext.iter() if isinstance(c.tag, str)]


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


@dataclass(frozen=True)
class Assignment:
    """Who may do a task, as the model says; mapped to roles/departments later."""

    groups: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    source: str = ""  # e.g. "camunda:candidateGroups", "potentialOwner", "Bahn"
    unsupported: tuple[str, ...] = ()  # e.g. "${approver}" – dynamic, cannot be honoured


def _resource_names(root: etree._Element) -> dict[str, str]:
    return {r.get("id", ""): r.get("name") or r.get("id", "") for r in root.iter(q("resource"))}


def read_assignment(element: etree._Element, lane: str | None) -> Assignment:
    groups: list[str] = []
    users: list[str] = []
    unsupported: list[str] = []
    sources: list[str] = []

    def take(values: list[str], into: list[str], source: str) -> None:
        for value in values:
            if _EXPRESSION.search(value):
                unsupported.append(value)
            else:
                into.append(value)
        if values:
            sources.append(source)

    take(_split(_attr(element, "candidateGroups", CAMUNDA_NS)), groups, "candidateGroups")
    take(_split(_attr(element, "candidateUsers", CAMUNDA_NS)), users, "candidateUsers")
    take(_split(_attr(element, "assignee", CAMUNDA_NS)), users, "assignee")
    for child in _extension_children(element):
        if namespace(child.tag) == ZEEBE_NS and local_name(child.tag) == "assignmentDefinition":
            take(_split(child.get("candidateGroups")), groups, "zeebe:candidateGroups")
            take(_split(child.get("assignee")), users, "zeebe:assignee")
    resources = None
    for owner in element.findall(q("potentialOwner")) + element.findall(q("performer")):
        ref = owner.findtext(q("resourceRef"))
        if ref:
            if resources is None:
                resources = _resource_names(element.getroottree().getroot())
            take([resources.get(ref.strip(), ref.strip())], groups, "potentialOwner")
        for expr in owner.iter(q("formalExpression")):
            text = (expr.text or "").strip()
            match = re.fullmatch(r"(group|user)\((.+)\)", text)
            if match:
                take(
                    [match.group(2).strip()],
                    groups if match.group(1) == "group" else users,
                    "potentialOwner",
                )
            elif text:
                take([text], groups, "potentialOwner")
    if not groups and not users and not unsupported and lane:
        groups.append(lane)
        sources.append("Bahn")
    return Assignment(
        tuple(groups), tuple(users), ", ".join(dict.fromkeys(sources)), tuple(unsupported)
    )


@dataclass(frozen=True)
class Handler:
    name: str = ""
    params: dict[str, str] = field(default_factory=dict)
    source: str = ""
    # Implementations we recognise but cannot run (Java classes, expressions, …).
    unsupported: str = ""


def read_handler(element: etree._Element) -> Handler:
    params: dict[str, str] = {}
    unsupported: list[str] = []
    name = element.get(q("handler", BT_NS)) or ""
    source = "bt:handler" if name else ""
    for child in _extension_children(element):
        ns, tag = namespace(child.tag), local_name(child.tag)
        if ns == BT_NS and tag == "param" and child.get("name"):
            params[child.get("name", "")] = child.get("value", child.text or "")
        elif ns in CAMUNDA_NS and tag == "inputParameter" and child.get("name"):
            if len(child):
                unsupported.append(f"Eingabeparameter „{child.get('name')}“ mit Skript/Liste")
            elif _EXPRESSION.search(child.text or ""):
                unsupported.append(f"Eingabeparameter „{child.get('name')}“ = {child.text}")
            else:
                params[child.get("name", "")] = child.text or ""
        elif ns == ZEEBE_NS and tag == "taskDefinition" and not name:
            name, source = child.get("type", ""), "zeebe:taskDefinition"
    if not name and (_attr(element, "type", CAMUNDA_NS) or "") == "external":
        name, source = _attr(element, "topic", CAMUNDA_NS) or "", "camunda:topic"
    for attribute in ("class", "delegateExpression", "expression"):
        value = _attr(element, attribute, CAMUNDA_NS)
        if value:
            unsupported.append(f"camunda:{attribute}=„{value}“ (Java/JUEL-Implementierung)")
    if _EXPRESSION.search(name):
        unsupported.append(f"dynamischer Handler „{name}“")
        name = ""
    return Handler(name.strip(), params, source, "; ".join(unsupported))


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str = "string"
    required: bool = False
    default: str = ""
    options: tuple[tuple[str, str], ...] = ()  # enum: (value, label)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "options": [list(o) for o in self.options],
        }


def read_form(element: etree._Element) -> tuple[list[FormField], list[str]]:
    """Camunda ``formData`` fields and the problems found in them."""
    fields: list[FormField] = []
    problems: list[str] = []
    for child in _extension_children(element):
        if namespace(child.tag) not in CAMUNDA_NS or local_name(child.tag) != "formField":
            continue
        field_id = child.get("id", "")
        kind = child.get("type", "string")
        if not _IDENTIFIER.match(field_id):
            problems.append(f"Formularfeld „{field_id}“: ungültige Kennung")
            continue
        if kind not in FIELD_TYPES:
            problems.append(f"Formularfeld „{field_id}“: Typ „{kind}“ wird nicht unterstützt")
            continue
        required = any(
            local_name(c.tag) == "constraint"
            and c.get("name") == "required"
            and (c.get("config") or "true") != "false"
            for c in child.iter()
            if isinstance(c.tag, str)
        )
        options = tuple(
            (c.get("id", ""), c.get("name") or c.get("id", ""))
            for c in child.iter()
            if isinstance(c.tag, str) and local_name(c.tag) == "value" and c.get("id")
        )
        default = child.get("defaultValue", "")
        if _EXPRESSION.search(default):
            problems.append(f"Formularfeld „{field_id}“: dynamischer Vorgabewert")
            default = ""
        fields.append(
            FormField(field_id, child.get("label") or field_id, kind, required, default, options)
        )
    return fields, problems


def read_sign_off(element: etree._Element) -> tuple[str, str]:
    """(kind, decision template) from ``bt:signOff`` / ``bt:template``."""
    return element.get(q("signOff", BT_NS)) or "", element.get(q("template", BT_NS)) or ""


def script_like(element: etree._Element) -> list[str]:
    """Everything attached to ``element`` that would run code from the model."""
    found: list[str] = []
    for child in _extension_children(element):
        ns, tag = namespace(child.tag), local_name(child.tag)
        if ns in CAMUNDA_NS and tag in ("executionListener", "taskListener"):
            kind = "Skript" if child.find(f"{{{ns}}}script") is not None else "Listener"
            found.append(f"camunda:{tag} ({kind})")
        elif ns in CAMUNDA_NS and tag == "script":
            found.append("camunda:script")
        elif ns == SPIFF_NS and tag in ("preScript", "postScript"):
            found.append(f"spiffworkflow:{tag}")
        elif ns == ZEEBE_NS and tag in ("script", "executionListener", "taskListener"):
            found.append(f"zeebe:{tag}")
    return found


def element_name(element: etree._Element) -> str:
    return " ".join((element.get("name") or "").split())


def element_lane(element: etree._Element, lanes: dict[str, str]) -> str | None:
    return lanes.get(element.get("id", ""))


def lanes_by_node(root: etree._Element) -> dict[str, str]:
    """flow node id → name of the innermost lane that lists it."""
    result: dict[str, str] = {}
    for lane in root.iter(q("lane")):
        name = element_name(lane)
        for ref in lane.findall(q("flowNodeRef")):
            if ref.text and name:
                result[ref.text.strip()] = name
    return result


__all__ = [
    "BPMN_NS",
    "SIGN_OFF_KINDS",
    "Assignment",
    "FormField",
    "Handler",
    "element_name",
    "lanes_by_node",
    "read_assignment",
    "read_form",
    "read_handler",
    "read_sign_off",
    "script_like",
]
