"""The installation's start page: the portals of its organisations and the staff login."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from buergerticket.org.models import Organisation


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "core/home.html", {"organisations": Organisation.objects.order_by("name")}
    )
