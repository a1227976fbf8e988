"""Every error of the REST API is a JSON object with a stable ``code`` and a German ``message``.

Bad input is always a 4xx with a body that says what was wrong and where; a
5xx would mean a bug on our side.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from buergerticket.cases.services import CaseConflict, CaseError, CasePermissionDenied

log = logging.getLogger("buergerticket.api")


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[FieldError] = []
    current_version: int | None = None


class ApiError(Exception):
    """Raised by operations; rendered as :class:`ErrorOut` with ``status``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        current_version: int | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors or []
        self.headers = headers or {}
        self.current_version = current_version


def not_found(what: str = "Vorgang") -> ApiError:
    return ApiError(404, "not_found", f"{what} nicht gefunden.")


def _respond(
    api: NinjaAPI, request: HttpRequest, status: int, body: dict[str, Any]
) -> HttpResponse:
    body.setdefault("errors", [])
    body.setdefault("current_version", None)
    return api.create_response(request, body, status=status)


def _field_name(loc: Any) -> str:
    parts = [str(p) for p in (loc or []) if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "body"


_PYDANTIC_MESSAGES = {
    "missing": "Pflichtangabe fehlt.",
    "string_too_long": "Der Text ist zu lang.",
    "string_too_short": "Der Text ist zu kurz.",
    "int_parsing": "Bitte eine ganze Zahl angeben.",
    "int_type": "Bitte eine ganze Zahl angeben.",
    "bool_parsing": "Bitte true oder false angeben.",
    "date_from_datetime_parsing": "Bitte ein Datum im Format JJJJ-MM-TT angeben.",
    "date_parsing": "Bitte ein Datum im Format JJJJ-MM-TT angeben.",
    "datetime_parsing": "Bitte Datum und Uhrzeit nach ISO 8601 angeben.",
    "datetime_from_date_parsing": "Bitte Datum und Uhrzeit nach ISO 8601 angeben.",
    "decimal_parsing": "Bitte eine Zahl angeben.",
    "enum": "Dieser Wert ist nicht erlaubt.",
    "literal_error": "Dieser Wert ist nicht erlaubt.",
    "greater_than_equal": "Der Wert ist zu klein.",
    "less_than_equal": "Der Wert ist zu groß.",
    "string_type": "Bitte einen Text angeben.",
    "dict_type": "Bitte ein JSON-Objekt angeben.",
    "list_type": "Bitte eine Liste angeben.",
    "model_attributes_type": "Bitte ein JSON-Objekt angeben.",
    "extra_forbidden": "Dieses Feld ist unbekannt.",
    "string_pattern_mismatch": "Das Format stimmt nicht.",
}


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type"))
    if kind == "value_error":
        # Our own validators raise German messages; Pydantic prefixes them in English.
        return str(error.get("msg", "")).removeprefix("Value error, ")
    return _PYDANTIC_MESSAGES.get(kind, str(error.get("msg", "")))


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every failure into an :class:`ErrorOut`."""

    def api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        response = _respond(
            api,
            request,
            exc.status,
            {
                "code": exc.code,
                "message": exc.message,
                "errors": exc.errors,
                "current_version": exc.current_version,
            },
        )
        for name, value in exc.headers.items():
            response[name] = value
        return response

    def validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = [{"field": _field_name(e.get("loc")), "message": _message(e)} for e in exc.errors]
        return _respond(
            api,
            request,
            400,
            {"code": "invalid_request", "message": "Die Anfrage ist ungültig.", "errors": errors},
        )

    def authentication(request: HttpRequest, exc: Any) -> HttpResponse:
        response = _respond(
            api,
            request,
            401,
            {
                "code": "unauthenticated",
                "message": "Bitte melden Sie sich mit einem gültigen Token an "
                "(Authorization: Bearer …).",
            },
        )
        response["WWW-Authenticate"] = 'Bearer realm="buergerticket"'
        return response

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        message = str(exc)
        if exc.status_code == 400:
            message = "Der Inhalt der Anfrage ist kein gültiges JSON."
        return _respond(api, request, exc.status_code, {"code": "bad_request", "message": message})

    def http404(request: HttpRequest, exc: Any) -> HttpResponse:
        return _respond(api, request, 404, {"code": "not_found", "message": "Nicht gefunden."})

    def conflict(request: HttpRequest, exc: Any) -> HttpResponse:
        return _respond(api, request, 412, {"code": "precondition_failed", "message": str(exc)})

    def case_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return _respond(api, request, 422, {"code": "rejected", "message": str(exc)})

    def denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return _respond(api, request, 403, {"code": "forbidden", "message": str(exc)})

    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(ValidationError, validation)
    api.add_exception_handler(AuthenticationError, authentication)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, http404)
    # CaseConflict is a CaseError: the more specific handler must win (ninja walks the MRO).
    api.add_exception_handler(CaseConflict, conflict)
    api.add_exception_handler(CaseError, case_error)
    api.add_exception_handler(CasePermissionDenied, denied)
