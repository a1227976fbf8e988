"""ETag / If-Match on cases: ``Case.version`` is the entity tag and the optimistic lock.

The version is passed to the write path as ``expected_version`` so the check
happens under the row lock; a client that read an older version gets 412 and
must re-read instead of silently overwriting someone else's change.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from buergerticket.api.rest.errors import ApiError
from buergerticket.cases.models import Case


def etag(case: Case) -> str:
    return f'"{case.pk}-{case.version}"'


def set_etag(response: HttpResponse, case: Case) -> None:
    response["ETag"] = etag(case)


def _versions(header: str, case: Case) -> list[int | None]:
    """Versions named in an If-Match/If-None-Match header; ``None`` for ``*``."""
    result: list[int | None] = []
    for raw in header.split(","):
        tag = raw.strip()
        if not tag:
            continue
        if tag == "*":
            result.append(None)
            continue
        if tag.startswith("W/"):
            tag = tag[2:]
        tag = tag.strip('"')
        pk, _, version = tag.partition("-")
        if pk != str(case.pk) or not version.isdigit():
            raise ApiError(
                412,
                "precondition_failed",
                "Das ETag gehört nicht zu diesem Vorgang. Bitte laden Sie ihn neu.",
                current_version=case.version,
            )
        result.append(int(version))
    return result


def expected_version(request: HttpRequest, case: Case, *, required: bool) -> int | None:
    """The version the client last saw (from If-Match), for the write path's lock check."""
    header = request.headers.get("If-Match", "")
    if not header.strip():
        if required:
            raise ApiError(
                428,
                "precondition_required",
                "Für diese Änderung ist der Kopf If-Match mit dem ETag des Vorgangs nötig, "
                "damit keine fremde Änderung überschrieben wird.",
                current_version=case.version,
            )
        return None
    versions = _versions(header, case)
    if None in versions:
        return None
    if case.version not in versions:
        raise ApiError(
            412,
            "precondition_failed",
            "Der Vorgang wurde inzwischen geändert. Bitte laden Sie ihn neu und "
            "wiederholen Sie Ihre Änderung.",
            current_version=case.version,
        )
    return case.version


def not_modified(request: HttpRequest, case: Case) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header.strip():
        return False
    try:
        versions = _versions(header, case)
    except ApiError:
        return False
    return None in versions or case.version in versions
