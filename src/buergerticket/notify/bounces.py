"""Addresses that bounce: recorded from delivery reports, respected when sending."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from buergerticket.notify.models import BouncedAddress
from buergerticket.org.models import Organisation


def record_bounce(
    organisation: Organisation | int,
    address: str,
    *,
    permanent: bool,
    status: str = "",
    diagnostic: str = "",
) -> BouncedAddress:
    """Count a bounce for ``address``; a permanent one blocks further mail to it."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    address = address.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        entry, _ = BouncedAddress.objects.select_for_update().get_or_create(
            organisation_id=org_id,
            address=address,
            defaults={"first_at": now, "last_at": now},
        )
        entry.bounces += 1
        entry.last_at = now
        entry.status = status[:20]
        entry.diagnostic = diagnostic[:2000]
        if permanent:
            entry.blocked = True
            entry.cleared_at = None
            entry.cleared_by = ""
        entry.save()
    return entry


def is_blocked(organisation: Organisation | int, address: str) -> bool:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return BouncedAddress.objects.filter(
        organisation_id=org_id, address=address.strip().lower(), blocked=True
    ).exists()


def clear(organisation: Organisation | int, address: str, *, by: str) -> bool:
    """Lift the block (an administrator, or the person wrote in again)."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return bool(
        BouncedAddress.objects.filter(
            organisation_id=org_id, address=address.strip().lower(), blocked=True
        ).update(blocked=False, cleared_at=timezone.now(), cleared_by=by[:200])
    )
