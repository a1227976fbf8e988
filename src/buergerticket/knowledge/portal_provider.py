"""The FAQ as a search provider for the portal's search (``portal.search``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.text import Truncator

from buergerticket.knowledge import selectors


def faq_provider(organisation: Any, query: str, language: str) -> list[Any]:
    """``provider(organisation, query, language) -> list[SearchHit]``.

    Articles are written in German; the language does not filter them.
    """
    from buergerticket.portal.search import SearchHit  # type: ignore[import-not-found,unused-ignore]

    return [
        SearchHit(
            title=article.title,
            url=reverse("faq:article", args=[organisation.slug, article.slug]),
            snippet=Truncator(" ".join(article.body.split())).chars(200),
            kind="faq",
        )
        for article in selectors.search(organisation, query, public_only=True, limit=10)
    ]
