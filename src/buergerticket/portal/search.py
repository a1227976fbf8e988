"""Search over what the portal offers: services here, FAQ articles from the knowledge app.

Apps add providers with :func:`register_provider`; a provider gets the organisation,
the query and the visitor's language and returns :class:`SearchHit` items. The
portal's own provider searches the public services.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from buergerticket.org.models import Organisation

log = logging.getLogger("buergerticket.portal.search")


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    snippet: str
    kind: str  # "service", "faq", …


Provider = Callable[[Organisation, str, str], list[SearchHit]]
_providers: list[Provider] = []


def register_provider(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def search(organisation: Organisation, query: str, language: str = "de") -> list[SearchHit]:
    query = query.strip()[:200]
    if not query:
        return []
    hits: list[SearchHit] = []
    for provider in _providers:
        try:
            hits.extend(provider(organisation, query, language))
        except Exception:
            # One broken provider must not take the whole search down.
            log.exception("Suchanbieter %r fehlgeschlagen", provider)
    return hits


def normalise(text: str) -> str:
    """Lower case without accents, ß→ss, so "strasse" finds "Straße"."""
    text = unicodedata.normalize("NFKD", text.lower().replace("ß", "ss"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w]+", normalise(text)) if len(w) > 1]


def _snippet(text: str, length: int = 180) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + " …"


def service_provider(organisation: Organisation, query: str, language: str) -> list[SearchHit]:
    from buergerticket.portal.selectors import public_services

    terms = words(query)
    if not terms:
        return []
    scored = []
    for service in public_services(organisation):
        name = normalise(service.name)
        keywords = normalise(service.keywords)
        body = normalise(f"{service.description} {service.requirements}")
        score = 0
        for term in terms:
            # Prefix matches let "strass" or "laterne" find compounds like "Straßenlaterne".
            if term in name:
                score += 5
            if term in keywords:
                score += 3
            if term in body:
                score += 1
        if score:
            scored.append((score, service))
    scored.sort(key=lambda item: (-item[0], item[1].name))
    return [
        SearchHit(
            title=service.name,
            url=reverse("portal:service", kwargs={"org": organisation.slug, "code": service.code}),
            snippet=_snippet(service.description),
            kind="service",
        )
        for _, service in scored
    ]
