"""Writing articles: every change is a new version, with author and note."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from buergerticket.catalog.models import Service
from buergerticket.knowledge.models import Article, ArticleKind, ArticleVersion
from buergerticket.org.models import Organisation, Role, Staff
from buergerticket.records.fulltext.analysis import analyse


class KnowledgeError(Exception):
    """German, user-facing."""


EDITOR_ROLES = (Role.CLERK, Role.LEAD, Role.ADMIN)


@dataclass(frozen=True)
class Content:
    title: str
    body: str
    kind: str = ArticleKind.INSTRUCTION
    keywords: str = ""
    public: bool = False
    services: tuple[Service, ...] = ()


def can_edit(staff: Staff) -> bool:
    return staff.active and any(role in staff.roles for role in EDITOR_ROLES)


def _check(staff: Staff, organisation_id: int, content: Content) -> None:
    if not can_edit(staff) or staff.organisation_id != organisation_id:
        raise KnowledgeError("Sie dürfen keine Artikel bearbeiten.")
    if not content.title.strip():
        raise KnowledgeError("Ein Titel ist erforderlich.")
    if not content.body.strip():
        raise KnowledgeError("Der Text ist leer.")
    if content.kind not in ArticleKind.values:
        raise KnowledgeError("Unbekannte Art des Artikels.")
    if any(s.organisation_id != organisation_id for s in content.services):
        raise KnowledgeError("Die Leistung gehört zu einer anderen Organisation.")


def _apply(article: Article, content: Content) -> None:
    article.title = content.title.strip()[:200]
    article.body = content.body.strip()
    article.kind = content.kind
    article.keywords = content.keywords.strip()[:300]
    article.public = content.public
    article.index_title = analyse(article.title, article.keywords)
    article.index_body = analyse(article.body)


def _snapshot(article: Article, staff: Staff, note: str, services: Iterable[Service]) -> None:
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        keywords=article.keywords,
        public=article.public,
        kind=article.kind,
        service_codes=sorted(s.code for s in services),
        author=staff,
        author_label=f"{staff.username} – {staff.name}",
        note=note.strip()[:300],
        created_at=article.updated_at,
    )


def _unique_slug(organisation: Organisation, title: str) -> str:
    base = slugify(title)[:100] or "artikel"
    slug, n = base, 1
    # "neu" is the address of the create page.
    while slug == "neu" or Article.objects.filter(organisation=organisation, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_article(
    organisation: Organisation, *, staff: Staff, content: Content, note: str = ""
) -> Article:
    _check(staff, organisation.pk, content)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                article = Article(
                    organisation=organisation,
                    slug=_unique_slug(organisation, content.title),
                    updated_at=timezone.now(),
                )
                _apply(article, content)
                article.save()
                article.services.set(content.services)
                _snapshot(article, staff, note or "angelegt", content.services)
                return article
        except IntegrityError:
            continue  # two editors chose the same slug at once: take the next
    raise KnowledgeError("Der Artikel konnte nicht angelegt werden. Bitte erneut versuchen.")


def update_article(
    article: Article,
    *,
    staff: Staff,
    content: Content,
    note: str = "",
    expected_version: int | None = None,
) -> Article:
    """Save a new version (nothing happens when nothing changed)."""
    _check(staff, article.organisation_id, content)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if expected_version is not None and article.version != expected_version:
            raise KnowledgeError("Der Artikel wurde inzwischen geändert. Bitte laden Sie ihn neu.")
        before = (article.title, article.body, article.kind, article.keywords, article.public)
        old_services = set(article.services.values_list("pk", flat=True))
        _apply(article, content)
        after = (article.title, article.body, article.kind, article.keywords, article.public)
        if before == after and old_services == {s.pk for s in content.services}:
            return article
        article.version += 1
        article.updated_at = timezone.now()
        article.save()
        article.services.set(content.services)
        _snapshot(article, staff, note, content.services)
    return article


def restore_version(article: Article, *, staff: Staff, number: int) -> Article:
    version = article.versions.filter(number=number).first()
    if version is None:
        raise KnowledgeError(f"Version {number} gibt es nicht.")
    services = tuple(
        Service.objects.filter(
            organisation_id=article.organisation_id, code__in=version.service_codes
        )
    )
    content = Content(
        title=version.title,
        body=version.body,
        kind=version.kind,
        keywords=version.keywords,
        public=version.public,
        services=services,
    )
    return update_article(
        article, staff=staff, content=content, note=f"Version {number} wiederhergestellt"
    )


def set_archived(article: Article, *, staff: Staff, archived: bool) -> Article:
    if not can_edit(staff) or staff.organisation_id != article.organisation_id:
        raise KnowledgeError("Sie dürfen keine Artikel bearbeiten.")
    article.archived = archived
    article.save(update_fields=["archived"])
    return article
