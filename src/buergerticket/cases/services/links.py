"""Links between cases (follow-up case, related case)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from buergerticket.cases.history import Actor, History
from buergerticket.cases.models import Case, CaseLink, LinkKind

from ._common import CaseError, check_actor, lock_case, save_change


def link_cases(
    from_case: Case | int,
    to_case: Case | int,
    *,
    kind: str,
    actor: Actor,
    reason: str = "",
) -> CaseLink:
    """Link two cases of one organisation; both histories record it.

    ``from_case`` is the earlier case (a follow-up case is linked *from* the case
    it follows). Linking twice is harmless: the existing link is returned and
    nothing is recorded again, so channels may call this again after a crash.
    """
    if kind not in LinkKind.values:
        raise CaseError(f"Unbekannte Verknüpfungsart „{kind}“.")
    with transaction.atomic():
        ids = sorted(
            {c if isinstance(c, int) else c.pk for c in (from_case, to_case)},
        )
        if len(ids) != 2:
            raise CaseError("Ein Vorgang kann nicht mit sich selbst verknüpft werden.")
        # Lock in primary-key order so two concurrent links never deadlock.
        locked = {pk: lock_case(pk) for pk in ids}
        source = locked[from_case if isinstance(from_case, int) else from_case.pk]
        target = locked[to_case if isinstance(to_case, int) else to_case.pk]
        if source.organisation_id != target.organisation_id:
            raise CaseError("Vorgänge verschiedener Organisationen können nicht verknüpft werden.")
        check_actor(actor, source)
        existing = CaseLink.objects.filter(from_case=source, to_case=target, kind=kind).first()
        if existing is not None:
            return existing
        now = timezone.now()
        link = CaseLink.objects.create(from_case=source, to_case=target, kind=kind, created_at=now)
        for case, other, direction in ((source, target, "to"), (target, source, "from")):
            history = History(case, at=now)
            history.record(
                "case_linked",
                actor,
                {
                    "kind": kind,
                    "direction": direction,
                    "case": other.pk,
                    "file_number": other.file_number,
                },
                reason,
            )
            save_change(case, history, [])
    return link


__all__ = ["link_cases"]
