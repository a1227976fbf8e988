"""The workspace navigation. Apps add their entries in ``AppConfig.ready``.

Keeping the menu in a registry lets each app own its pages without editing a
shared template.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise

from buergerticket.workspace.access import current_staff


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    order: int
    roles: tuple[str, ...] = ()  # empty: every staff member


_items: dict[str, NavItem] = {}


def register(
    label: str | Promise, url_name: str, *, order: int, roles: tuple[str, ...] = ()
) -> None:
    _items[url_name] = NavItem(label, url_name, order, roles)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the entries this staff member may use."""
    if not request.path.startswith("/arbeitsplatz/"):
        return {}
    staff = current_staff(request)
    if staff is None:
        return {}
    entries = []
    for item in sorted(_items.values(), key=lambda i: i.order):
        if item.roles and not any(r in staff.roles for r in item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append(
            {
                "label": item.label,
                "url": url,
                "current": request.path == url
                or (url != "/arbeitsplatz/" and request.path.startswith(url)),
            }
        )
    return {"workspace_nav": entries, "workspace_staff": staff, "today": timezone.localdate()}
