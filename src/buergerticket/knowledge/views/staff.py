"""The knowledge base in the workspace: find, read, write and version articles."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.knowledge import selectors, services
from buergerticket.knowledge.forms import ArticleForm, SearchForm
from buergerticket.knowledge.models import Article, ArticleVersion
from buergerticket.workspace.access import StaffRequest, staff_required


def _article(request: StaffRequest, slug: str) -> Article:
    return get_object_or_404(Article, organisation_id=request.staff.organisation_id, slug=slug)


@staff_required
def index(request: StaffRequest) -> HttpResponse:
    organisation = request.staff.organisation
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    found = (
        selectors.search(organisation, text)
        if text
        else list(selectors.articles(organisation).prefetch_related("services").order_by("title"))
    )
    return render(
        request,
        "knowledge/index.html",
        {
            "form": form,
            "articles": found,
            "text": text,
            "can_edit": services.can_edit(request.staff),
        },
    )


@staff_required
def detail(request: StaffRequest, slug: str) -> HttpResponse:
    article = _article(request, slug)
    return render(
        request,
        "knowledge/detail.html",
        {
            "article": article,
            "versions": article.versions.all()[:50],
            "can_edit": services.can_edit(request.staff),
        },
    )


def _content(form: ArticleForm) -> services.Content:
    data = form.cleaned_data
    return services.Content(
        title=data["title"],
        body=data["body"],
        kind=data["kind"],
        keywords=data["keywords"],
        public=data["public"],
        services=tuple(data["services"]),
    )


@staff_required
def create(request: StaffRequest) -> HttpResponse:
    if not services.can_edit(request.staff):
        raise PermissionDenied(_("Sie dürfen keine Artikel bearbeiten."))
    form = ArticleForm(request.POST or None, staff=request.staff)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.create_article(
                request.staff.organisation,
                staff=request.staff,
                content=_content(form),
                note=form.cleaned_data["note"],
            )
        except services.KnowledgeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Artikel angelegt."))
            return redirect("knowledge:detail", slug=article.slug)
    return render(
        request,
        "knowledge/edit.html",
        {"form": form, "article": None},
        status=400 if form.errors else 200,
    )


@staff_required
def edit(request: StaffRequest, slug: str) -> HttpResponse:
    article = _article(request, slug)
    if not services.can_edit(request.staff):
        raise PermissionDenied(_("Sie dürfen keine Artikel bearbeiten."))
    initial = {
        "version": article.version,
        "title": article.title,
        "kind": article.kind,
        "body": article.body,
        "keywords": article.keywords,
        "services": list(article.services.all()),
        "public": article.public,
    }
    form = ArticleForm(request.POST or None, staff=request.staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_article(
                article,
                staff=request.staff,
                content=_content(form),
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except services.KnowledgeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Artikel gespeichert."))
            return redirect("knowledge:detail", slug=article.slug)
    return render(
        request,
        "knowledge/edit.html",
        {"form": form, "article": article},
        status=400 if form.errors else 200,
    )


@staff_required
def version(request: StaffRequest, slug: str, number: int) -> HttpResponse:
    article = _article(request, slug)
    shown = get_object_or_404(ArticleVersion, article=article, number=number)
    previous = article.versions.filter(number__lt=number).order_by("-number").first()
    diff = []
    if previous is not None:
        for line in difflib.ndiff(previous.body.splitlines(), shown.body.splitlines()):
            if line.startswith(("+ ", "- ", "  ")):
                diff.append(
                    {"kind": {"+": "added", "-": "removed"}.get(line[0], "same"), "text": line[2:]}
                )
    return render(
        request,
        "knowledge/version.html",
        {
            "article": article,
            "shown": shown,
            "previous": previous,
            "diff": diff,
            "can_edit": services.can_edit(request.staff),
        },
    )


@staff_required
@require_POST
def restore(request: StaffRequest, slug: str, number: int) -> HttpResponse:
    article = _article(request, slug)
    try:
        services.restore_version(article, staff=request.staff, number=number)
    except services.KnowledgeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Version %(number)s wiederhergestellt.") % {"number": number})
    return redirect("knowledge:detail", slug=article.slug)


@staff_required
@require_POST
def archive(request: StaffRequest, slug: str) -> HttpResponse:
    article = _article(request, slug)
    try:
        services.set_archived(article, staff=request.staff, archived=not article.archived)
    except services.KnowledgeError as exc:
        messages.error(request, str(exc))
    return redirect("knowledge:detail", slug=article.slug)
