"""A server-rendered API reference built from the OpenAPI document.

django-ninja ships Swagger UI and ReDoc. Both are large client-side apps that
need inline styles and many accessibility exceptions; this page renders the
same document as plain, accessible HTML under the strict CSP, in German.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from buergerticket.api.rest.api import api

METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return dict(components.get(ref.rsplit("/", 1)[1], {}))
    return schema


def _type(schema: dict[str, Any], components: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[1]
    if "anyOf" in schema:
        parts = [_type(s, components) for s in schema["anyOf"]]
        return " | ".join(p for p in parts if p)
    if "enum" in schema:
        return " | ".join(repr(v) for v in schema["enum"])
    kind = schema.get("type", "")
    if kind == "array":
        return f"Liste von {_type(schema.get('items', {}), components)}"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind or "beliebig")


def _fields(
    schema: dict[str, Any], components: dict[str, Any], prefix: str = "", depth: int = 0
) -> list[dict[str, Any]]:
    schema = _resolve(schema, components)
    required = set(schema.get("required", []))
    rows: list[dict[str, Any]] = []
    for name, prop in schema.get("properties", {}).items():
        rows.append(
            {
                "name": prefix + name,
                "type": _type(prop, components),
                "required": name in required,
                "description": prop.get("description", ""),
            }
        )
        nested = _resolve(prop, components)
        if depth < 1 and "properties" in nested:
            rows.extend(_fields(nested, components, prefix + name + ".", depth + 1))
    return rows


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    components = document.get("components", {}).get("schemas", {})
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            responses = []
            for code, resp in sorted(op.get("responses", {}).items()):
                content = resp.get("content", {}).get("application/json", {})
                schema = content.get("schema")
                responses.append(
                    {
                        "code": code,
                        "description": resp.get("description", ""),
                        "schema": _type(schema, components) if schema else "",
                    }
                )
            entry = {
                "id": op.get("operationId", f"{method}-{path}"),
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [
                    {
                        "name": p.get("name"),
                        "in": p.get("in"),
                        "required": p.get("required", False),
                        "type": _type(p.get("schema", {}), components),
                        "description": p.get("description", ""),
                    }
                    for p in op.get("parameters", [])
                ],
                "body": _fields(body.get("schema", {}), components) if body else [],
                "responses": responses,
            }
            for tag in op.get("tags", ["Allgemein"]):
                groups.setdefault(tag, []).append(entry)
    return [{"tag": tag, "operations": ops} for tag, ops in groups.items()]


def _schemas(document: dict[str, Any]) -> list[dict[str, Any]]:
    # Prepared here: a property named "items" would shadow dict.items in a template.
    components = document.get("components", {}).get("schemas", {})
    return [
        {"name": name, "fields": _fields(schema, components, depth=1)}
        for name, schema in sorted(components.items())
    ]


def reference(request: HttpRequest) -> HttpResponse:
    document = api.get_openapi_schema()
    return render(
        request,
        "api/docs.html",
        {
            "document": document,
            "groups": _operations(document),
            "openapi_url": reverse("api-v1:openapi-json"),
            "schemas": _schemas(document),
        },
    )
