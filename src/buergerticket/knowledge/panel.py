"""Suggested articles on the case page, with reply templates ready to insert."""

from __future__ import annotations

from django.template.loader import render_to_string

from buergerticket.cases.models import Case, Status
from buergerticket.knowledge import placeholders, selectors
from buergerticket.knowledge.models import ArticleKind
from buergerticket.workspace.access import StaffRequest


def case_panel(request: StaffRequest, case: Case) -> list[str]:
    found = selectors.templates_first(selectors.suggestions(case))
    if not found:
        return []
    items = [
        {
            "article": article,
            "is_template": article.kind == ArticleKind.TEMPLATE,
            "text": placeholders.fill(article.body, case, request.staff),
        }
        for article in found
    ]
    return [
        render_to_string(
            "knowledge/_case_panel.html",
            {"items": items, "case": case, "can_insert": case.status != Status.CLOSED},
            request=request,
        )
    ]
