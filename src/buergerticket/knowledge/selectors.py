"""Finding articles: full-text search, suggestions for a case, the public FAQ."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from buergerticket.cases.models import Case
from buergerticket.knowledge.models import Article, ArticleKind
from buergerticket.org.models import Organisation
from buergerticket.records.fulltext import query as fq
from buergerticket.records.fulltext.analysis import terms

SUGGESTIONS = 5


def articles(organisation: Organisation, *, public_only: bool = False) -> QuerySet[Article]:
    found = Article.objects.filter(organisation=organisation, archived=False)
    if public_only:
        found = found.filter(public=True)
    return found


def _ranked_ids(
    organisation: Organisation, parsed: fq.Query, public_only: bool, limit: int
) -> list[int]:
    if parsed.empty:
        return []
    # Only constant SQL is assembled here; terms travel as parameters.
    public = " AND public" if public_only else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tsquery = fq.to_tsquery(parsed)
            cursor.execute(
                "SELECT id FROM knowledge_article WHERE organisation_id = %s AND NOT archived"  # noqa: S608
                f"{public} AND vector @@ to_tsquery('simple', %s) "
                "ORDER BY ts_rank_cd(vector, to_tsquery('simple', %s), 1) DESC, id LIMIT %s",
                [organisation.pk, tsquery, tsquery, limit],
            )
        else:
            cursor.execute(
                "SELECT knowledge_article.id FROM knowledge_article_fts "  # noqa: S608
                "JOIN knowledge_article ON knowledge_article.id = knowledge_article_fts.rowid "
                "WHERE knowledge_article_fts MATCH %s AND organisation_id = %s AND NOT archived"
                f"{public} ORDER BY bm25(knowledge_article_fts, 4.0, 1.0), knowledge_article.id "
                "LIMIT %s",
                [fq.to_fts5(parsed, "{index_title index_body}"), organisation.pk, limit],
            )
        return [row[0] for row in cursor.fetchall()]


def search(
    organisation: Organisation, text: str, *, public_only: bool = False, limit: int = 50
) -> list[Article]:
    """Articles matching ``text`` (same query syntax as the case search), best first."""
    ids = _ranked_ids(organisation, fq.parse(text), public_only, limit)
    by_id = {a.pk: a for a in articles(organisation, public_only=public_only).filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def suggestions(case: Case, limit: int = SUGGESTIONS) -> list[Article]:
    """Articles for the case page: those linked to its service, then those whose
    words match the case's subject and text best (any of the words counts)."""
    linked = list(
        articles(case.organisation).filter(services=case.service).order_by("kind", "title")[:limit]
    )
    if len(linked) >= limit:
        return linked
    words = list(dict.fromkeys(terms(f"{case.subject} {case.text[:2000]}")))[:20]
    if not words:
        return linked
    parsed = fq.Query(groups=[[fq.Clause(terms=(w,)) for w in words]])
    ids = _ranked_ids(case.organisation, parsed, False, limit * 2)
    taken = {a.pk for a in linked}
    extra = {a.pk: a for a in articles(case.organisation).filter(pk__in=ids)}
    for pk in ids:
        if pk in extra and pk not in taken and len(linked) < limit:
            linked.append(extra[pk])
    return linked


def templates_first(found: list[Article]) -> list[Article]:
    return sorted(found, key=lambda a: a.kind != ArticleKind.TEMPLATE)
