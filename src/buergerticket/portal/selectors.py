"""Read queries of the portal, each scoped to one organisation and to what the
visitor may see: the public catalog, staff-only services for that organisation's
staff, and a requester's own cases only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from buergerticket.cases.models import Case, Document, Message, MessageKind
from buergerticket.catalog.models import Service
from buergerticket.org.models import Organisation, Staff
from buergerticket.portal.models import TrackingLink

SESSION_LINKS = "portal_tracking_links"


def organisation(slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise Http404 from None


def staff_of(request: HttpRequest, org: Organisation) -> Staff | None:
    """The logged-in staff member if they belong to ``org`` (internal portal)."""
    user = request.user
    if not user.is_authenticated:
        return None
    staff = Staff.objects.filter(user=user, organisation=org, active=True).first()
    return staff


def public_services(org: Organisation) -> QuerySet[Service]:
    return Service.objects.filter(
        organisation=org, active=True, public=True, internal=False
    ).order_by("name")


def internal_services(org: Organisation) -> QuerySet[Service]:
    return Service.objects.filter(organisation=org, active=True, internal=True).order_by("name")


def service(request: HttpRequest, org_slug: str, code: str) -> tuple[Service, Staff | None]:
    """A service the visitor may request (one query with its organisation); internal
    ones only for the organisation's staff. Returns the service and that staff member."""
    found = (
        Service.objects.select_related("organisation", "department", "owner", "file_plan")
        .filter(organisation__slug=org_slug, code=code, active=True)
        .first()
    )
    if found is None:
        raise Http404
    staff = staff_of(request, found.organisation)
    if (found.internal and staff is None) or (not found.internal and not found.public):
        raise Http404
    return found, staff


def account_cases(request: HttpRequest, org: Organisation) -> QuerySet[Case]:
    if not request.user.is_authenticated:
        return Case.objects.none()
    return (
        Case.objects.filter(organisation=org, requester_account=request.user)
        .select_related("service")
        .order_by("-created_at")
    )


def tracked_link_ids(request: HttpRequest) -> list[int]:
    return [int(i) for i in request.session.get(SESSION_LINKS, []) if str(i).isdigit()]


@dataclass(frozen=True)
class Access:
    """How the visitor reached a case: through their account or a tracking link."""

    case: Case
    via_account: bool
    link: TrackingLink | None = None


def case_for_visitor(request: HttpRequest, org: Organisation, pk: int) -> Access:
    """The case if it is the visitor's own (account) or opened with an active link.

    Everything else is a 404, so nobody learns whether a case number exists.
    """
    case = (
        Case.objects.select_related("organisation", "service", "requester_account")
        .filter(organisation=org, pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    user = request.user
    if user.is_authenticated and case.requester_account_id == user.pk:
        return Access(case=case, via_account=True)
    ids = tracked_link_ids(request)
    if ids:
        link = TrackingLink.objects.filter(pk__in=ids, case=case, revoked_at__isnull=True).first()
        if link is not None:
            return Access(case=case, via_account=False, link=link)
    raise Http404


def mailbox_messages(case: Case) -> list[Message]:
    """What the requester may read: their own messages and the office's replies, never
    notes nor what others wrote into the case."""
    return list(
        Message.objects.filter(
            case=case, kind__in=(MessageKind.INCOMING, MessageKind.OUTGOING), shared=True
        )
        .prefetch_related("documents")
        .order_by("created_at", "id")
    )


def mailbox_documents(case: Case) -> QuerySet[Document]:
    """Published documents and the requester's own uploads."""
    return Document.objects.filter(
        Q(published=True) | Q(message__kind=MessageKind.INCOMING, message__shared=True), case=case
    ).order_by("created_at", "id")
