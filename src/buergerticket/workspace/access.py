"""Decorators giving workspace views the logged-in staff member, scoped to their tenant."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from buergerticket.org.models import Staff

View = Callable[..., HttpResponseBase]


class StaffRequest(HttpRequest):
    """A request that passed :func:`staff_required`: ``staff`` is the logged-in member."""

    staff: Staff


def current_staff(request: HttpRequest) -> Staff | None:
    user = request.user
    if not user.is_authenticated:
        return None
    try:
        staff = user.staff
    except Staff.DoesNotExist:
        return None
    return staff if staff.active else None


def staff_required(view: View) -> View:
    """Only active staff; the Staff record is available as ``request.staff``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        staff = current_staff(request)
        if staff is None:
            raise PermissionDenied("Kein Zugang zur Bearbeitungsoberfläche.")
        request.staff = staff  # type: ignore[attr-defined]  # becomes a StaffRequest
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @staff_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not any(role in request.staff.roles for role in roles):  # type: ignore[attr-defined]
                raise PermissionDenied("Dafür fehlt Ihnen die Berechtigung.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def case_worker_required(view: View) -> View:
    """Staff who work cases (sachbearbeitung or leitung)."""

    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.staff.works_cases:  # type: ignore[attr-defined]
            raise PermissionDenied("Sie bearbeiten keine Vorgänge.")
        return view(request, *args, **kwargs)

    return wrapper
