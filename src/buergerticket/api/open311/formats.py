"""GeoReport v2 wire formats: the same records as JSON or XML, element names as in the spec.

JSON answers are arrays of flat objects (the spec's examples, and what client
libraries index with ``[0]``); XML wraps them in ``services/service``,
``service_requests/request``, ``service_definition``, ``errors/error`` and
``discovery``. Everything is UTF-8 and XML carries its declaration.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, name: str, value: Any, item_names: dict[str, str]) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _append(element, key, inner, item_names)
    elif isinstance(value, list):
        child = item_names.get(name, "item")
        for inner in value:
            _append(element, child, inner, item_names)
    else:
        element.text = _text(value)


def to_xml(
    root: str, item: str | None, data: Any, item_names: dict[str, str] | None = None
) -> bytes:
    """``root`` holding ``item`` elements for a list, or the fields of a dict."""
    names = item_names or {}
    element = ET.Element(root)
    if item is not None:
        for record in data:
            _append(element, item, record, names)
    else:
        for key, value in data.items():
            _append(element, key, value, names)
    return ET.tostring(element, encoding="UTF-8", xml_declaration=True)


def respond(
    fmt: str,
    data: Any,
    *,
    root: str,
    item: str | None,
    status: int = 200,
    item_names: dict[str, str] | None = None,
) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(
            to_xml(root, item, data, item_names), status=status, content_type=XML_TYPE
        )
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body.encode(), status=status, content_type=JSON_TYPE)


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error format: a list of ``{code, description}``."""
    return respond(
        fmt if fmt in FORMATS else "json",
        [{"code": status, "description": description}],
        root="errors",
        item="error",
        status=status,
    )
