"""The public FAQ under ``/<org-slug>/hilfe/``: public articles, searchable."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from buergerticket.knowledge import selectors
from buergerticket.knowledge.forms import SearchForm
from buergerticket.knowledge.models import Article
from buergerticket.org.models import Organisation


def _organisation(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug)


def faq(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = _organisation(org_slug)
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    found = (
        selectors.search(organisation, text, public_only=True)
        if text
        else list(selectors.articles(organisation, public_only=True).order_by("title"))
    )
    return render(
        request,
        "knowledge/faq.html",
        {"organisation": organisation, "form": form, "articles": found, "text": text},
    )


def faq_article(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    organisation = _organisation(org_slug)
    article = Article.objects.filter(
        organisation=organisation, slug=slug, public=True, archived=False
    ).first()
    if article is None:
        raise Http404
    return render(
        request, "knowledge/faq_article.html", {"organisation": organisation, "article": article}
    )
