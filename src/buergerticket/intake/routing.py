"""Simple routing: the catalog's keywords (``Service.keywords``) choose the service.

Runs late (order 500) so the trained router and the rule engine of the
automation app decide first; it only acts while no service is chosen. A word
in the subject counts twice as much as one in the text; a tie between
services decides nothing, and the pipeline falls back to the organisation's
fallback service.
"""

from __future__ import annotations

import re

from buergerticket.cases.history import Actor
from buergerticket.catalog.models import Service
from buergerticket.core.memo import Memo
from buergerticket.intake.pipeline import Decision, Draft

ORDER = 500
ACTOR = Actor.automation("Schlagwortregel v1")


def _keywords(value: str) -> list[str]:
    return [k.strip().lower() for k in value.split(",") if len(k.strip()) >= 3]


def _hits(keyword: str, text: str) -> int:
    # Word start only: "müll" finds "Müllabfuhr" and "Sperrmüll" is its own keyword.
    return len(re.findall(rf"(?<!\w){re.escape(keyword)}", text))


_candidates: Memo[list[tuple[int, list[str]]]] = Memo("intake.keywords")


def _load(draft: Draft) -> list[tuple[int, list[str]]]:
    rows = (
        Service.objects.filter(
            organisation=draft.organisation, active=True, internal=False, fallback=False
        )
        .exclude(keywords="")
        .values_list("pk", "keywords")
    )
    return [(pk, _keywords(keywords)) for pk, keywords in rows]


def route_by_keywords(draft: Draft) -> None:
    if draft.service is not None:
        return
    subject, text = draft.subject.lower(), draft.text.lower()
    scores: list[tuple[int, int, list[str]]] = []
    for pk, keywords in _candidates.get(draft.organisation.pk, lambda: _load(draft)):
        matched = []
        score = 0
        for keyword in keywords:
            found = 2 * _hits(keyword, subject) + _hits(keyword, text)
            if found:
                matched.append(keyword)
                score += found
        if score:
            scores.append((score, pk, matched))
    if not scores:
        return
    scores.sort(key=lambda item: item[0], reverse=True)
    if len(scores) > 1 and scores[0][0] == scores[1][0]:
        return
    score, pk, matched = scores[0]
    service = Service.objects.select_related("owner", "department", "file_plan").get(pk=pk)
    draft.service = service
    draft.decide(
        Decision(
            type="routed",
            actor=ACTOR,
            details={"service": service.code, "keywords": matched[:10], "score": score},
            reason=f"Suchbegriffe der Leistung „{service.name}“ gefunden.",
        )
    )
