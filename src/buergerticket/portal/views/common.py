"""What every portal page needs: the organisation from the URL and the page context."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from buergerticket.org.models import Organisation
from buergerticket.portal import selectors


def page(
    request: HttpRequest,
    organisation: Organisation,
    template: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    staff = selectors.staff_of(request, organisation)
    full = {
        "organisation": organisation,
        "portal_staff": staff,
        "portal_user": request.user if request.user.is_authenticated else None,
        "map_tiles": settings.MAP_TILES,
        "map_attribution": settings.MAP_TILES_ATTRIBUTION,
        "map_center": settings.MAP_CENTER,
        **(context or {}),
    }
    response = render(request, template, full, status=status)
    # Portal pages may show personal data: never keep them in shared caches.
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response
