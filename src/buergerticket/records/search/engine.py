"""Searching cases: one interface, SQLite FTS5 or PostgreSQL full-text search below.

Results respect :mod:`buergerticket.cases.permissions`: the candidate set is
narrowed by the same rule as ``visible_cases_q`` (on SQLite through scope terms
in the index, on PostgreSQL through the case table), and the page is checked
against ``visible_cases_q`` once more before anything is shown.

Ranking: when a query matches more cases than ``CANDIDATE_LIMIT``, the newest
that many are ranked by relevance (BM25 on SQLite, cover density on
PostgreSQL). This keeps a search for a common word fast on a million cases;
the page says so, and filters narrow the set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString

from buergerticket.cases.models import Case, Document, Message, Status
from buergerticket.cases.permissions import visible_cases_q
from buergerticket.org.models import Organisation, Staff
from buergerticket.records.fulltext import query as fq
from buergerticket.records.fulltext.snippets import Matcher, Snippet, best_snippet, highlight
from buergerticket.records.models import DocumentText
from buergerticket.records.search.indexer import status_term

PAGE_SIZE = 20
TEXT_COLUMNS = "{ident subject body attachments}"
# Column weights for BM25: file number/requester, subject, texts, attachments, scope.
BM25 = "bm25(records_search_fts, 8.0, 6.0, 2.0, 1.0, 0.0)"


def candidate_limit() -> int:
    return int(getattr(settings, "SEARCH_CANDIDATE_LIMIT", 3000))


@dataclass(frozen=True)
class Filters:
    services: tuple[int, ...] = ()
    department: int | None = None
    # "" every status, "open", "closed", or one Status value.
    status: str = ""
    owner: int | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None

    def q(self) -> Q:
        q = Q()
        if self.services:
            q &= Q(service_id__in=self.services)
        if self.department:
            q &= Q(department_id=self.department)
        if self.status == "open":
            q &= ~Q(status=Status.CLOSED)
        elif self.status == "closed":
            q &= Q(status=Status.CLOSED)
        elif self.status:
            q &= Q(status=self.status)
        if self.owner:
            q &= Q(owner_id=self.owner)
        start, end = self.bounds()
        if start is not None:
            q &= Q(created_at__gte=start)
        if end is not None:
            q &= Q(created_at__lt=end)
        return q

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The date range as aware datetimes in local time, end exclusive."""

        def at_midnight(day: dt.date) -> dt.datetime:
            return timezone.make_aware(dt.datetime.combine(day, dt.time()))

        start = at_midnight(self.created_from) if self.created_from else None
        end = at_midnight(self.created_to + dt.timedelta(days=1)) if self.created_to else None
        return start, end


@dataclass
class Hit:
    case: Case
    exact: bool
    subject_html: SafeString
    snippet: Snippet | None


@dataclass
class Results:
    query: fq.Query
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    # More matches than were ranked (see module docstring).
    capped: bool = False
    page: int = 1
    page_size: int = PAGE_SIZE
    sort: str = "relevanz"

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total


def base_cases(organisation: Organisation, staff: Staff | None, filters: Filters) -> QuerySet[Case]:
    """Every case this search may return, as a queryset (the permission rule)."""
    cases = Case.objects.filter(organisation=organisation).filter(filters.q())
    if staff is not None:
        cases = cases.filter(visible_cases_q(staff))
    return cases


def search(
    *,
    organisation: Organisation,
    staff: Staff | None,
    text: str,
    filters: Filters | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    sort: str = "relevanz",
) -> Results:
    """Search the organisation's cases as ``staff`` sees them (``None``: every case).

    ``sort`` is ``"relevanz"`` or ``"neueste"``. A query that is exactly a
    file number puts that case first.
    """
    filters = filters or Filters()
    page = max(1, page)
    parsed = fq.parse(text)
    results = Results(query=parsed, page=page, page_size=page_size, sort=sort)
    base = base_cases(organisation, staff, filters)
    if staff is not None and not (staff.active and staff.works_cases):
        return results
    exact = list(base.filter(file_number=text.strip()).values_list("pk", flat=True)[:1])
    offset = (page - 1) * page_size
    if parsed.empty:
        if exact:
            return _exact_only(results, base, exact)
        if text.strip():
            return results  # only stop words or exclusions: nothing to look for
        return _browse(results, base, offset)
    if connection.vendor == "postgresql":
        ranked, total, capped = _postgres(parsed, base, sort)
    else:
        ranked, total, capped = _sqlite_selective(parsed, base, sort) or _sqlite(
            parsed, organisation, staff, filters, sort
        )
    if exact:
        ranked = exact + [pk for pk in ranked if pk != exact[0]]
        total += 0 if exact[0] in ranked[1:] else 1
    results.total, results.capped = total, capped
    page_ids = ranked[offset : offset + page_size]
    results.hits = _hits(base, page_ids, set(exact), parsed)
    return results


def _exact_only(results: Results, base: QuerySet[Case], exact: list[int]) -> Results:
    results.total = 1
    results.hits = _hits(base, exact, set(exact), results.query)
    return results


def _browse(results: Results, base: QuerySet[Case], offset: int) -> Results:
    """No words: the filtered cases, newest first (the archive list)."""
    limit = candidate_limit()
    order = "-closed_at" if results.sort == "abgeschlossen" else "-created_at"
    ids = list(
        base.order_by(order, "-pk").values_list("pk", flat=True)[
            offset : offset + results.page_size
        ]
    )
    results.total = base.values("pk")[: limit + 1].count()
    results.capped = results.total > limit
    results.total = min(results.total, limit)
    results.hits = _hits(base, ids, set(), results.query)
    return results


# --- SQLite FTS5 ------------------------------------------------------------


def scope_expression(organisation: Organisation, staff: Staff | None, filters: Filters) -> str:
    """Scope terms (see ``indexer.scope_terms``) equivalent to ``base_cases``.

    ``visible_cases_q``: the own department's cases and those the person holds
    or holds for an absent colleague.
    """
    parts = [f"g{organisation.pk}"]
    if staff is not None:
        parts.append(f"(d{staff.department_id} OR o{staff.pk} OR r{staff.pk})")
    if filters.services:
        parts.append("(" + " OR ".join(f"s{pk}" for pk in filters.services) + ")")
    if filters.department:
        parts.append(f"d{filters.department}")
    if filters.status in ("open", "closed"):
        parts.append(filters.status)
    elif filters.status:
        parts.append(f"st{status_term(filters.status)}")
    if filters.owner:
        parts.append(f"o{filters.owner}")
    months = _month_terms(filters)
    if months:
        parts.append("(" + " OR ".join(months) + ")")
    return "scope : (" + " AND ".join(parts) + ")"


def _month_terms(filters: Filters) -> list[str]:
    """Month terms covering the date range (exact bounds are checked in SQL)."""
    if not (filters.created_from and filters.created_to):
        return []
    start, end = filters.created_from, filters.created_to
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    if count <= 0 or count > 36:
        return []
    terms = []
    year, month = start.year, start.month
    for _ in range(count):
        terms.append(f"m{year}{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return terms


def _sqlite(
    parsed: fq.Query,
    organisation: Organisation,
    staff: Staff | None,
    filters: Filters,
    sort: str,
) -> tuple[list[int], int, bool]:
    scope = scope_expression(organisation, staff, filters)
    match = f"({fq.to_fts5(parsed, TEXT_COLUMNS)}) AND ({scope})"
    join, where, params = "", "", []
    start, end = filters.bounds()
    if start is not None or end is not None:
        join = "JOIN cases_case ON cases_case.id = records_search_fts.rowid"
        if start is not None:
            where += " AND cases_case.created_at >= %s"
            params.append(connection.ops.adapt_datetimefield_value(start))
        if end is not None:
            where += " AND cases_case.created_at < %s"
            params.append(connection.ops.adapt_datetimefield_value(end))
    limit = candidate_limit()
    # Only constants and placeholders are formatted in; the user's words travel
    # as the MATCH parameter (and are reduced to [a-z0-9] terms before that).
    inner = (
        f"SELECT records_search_fts.rowid AS id, {BM25} AS score FROM records_search_fts {join} "  # noqa: S608
        f"WHERE records_search_fts MATCH %s{where} ORDER BY records_search_fts.rowid DESC LIMIT %s"
    )
    order = "id DESC" if sort == "neueste" else "score, id DESC"
    with connection.cursor() as cursor:
        sql = f"SELECT id FROM ({inner}) ORDER BY {order}"  # noqa: S608
        cursor.execute(sql, [match, *params, limit + 1])
        ids = [row[0] for row in cursor.fetchall()]
    capped = len(ids) > limit
    if capped:
        # The oldest candidate only told us that there are more; drop it.
        oldest = min(ids)
        ids = [pk for pk in ids if pk != oldest]
    return ids, len(ids), capped


SELECTIVE = 500


def _sqlite_selective(
    parsed: fq.Query, base: QuerySet[Case], sort: str
) -> tuple[list[int], int, bool] | None:
    """Rare words (a file number, a name, an e-mail address): rank the few
    matches directly and check them against ``base``, instead of intersecting
    with the large scope lists. None when the words are too common for that."""
    match = fq.to_fts5(parsed, TEXT_COLUMNS)
    few = min(SELECTIVE, candidate_limit())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM records_search_fts WHERE records_search_fts MATCH %s LIMIT %s",
            [match, few + 1],
        )
        if len(cursor.fetchall()) > few:
            return None
        cursor.execute(
            f"SELECT rowid, {BM25} FROM records_search_fts WHERE records_search_fts MATCH %s",  # noqa: S608
            [match],
        )
        scores = dict(cursor.fetchall())
    allowed = set(base.filter(pk__in=list(scores)).values_list("pk", flat=True))
    ids = [pk for pk in scores if pk in allowed]
    if sort == "neueste":
        ids.sort(reverse=True)
    else:
        ids.sort(key=lambda pk: (scores[pk], -pk))
    return ids, len(ids), False


# --- PostgreSQL -------------------------------------------------------------


def _postgres(parsed: fq.Query, base: QuerySet[Case], sort: str) -> tuple[list[int], int, bool]:
    tsquery = fq.to_tsquery(parsed)
    limit = candidate_limit()
    matching = RawSQL(
        "SELECT case_id FROM records_searchdocument WHERE vector @@ to_tsquery('simple', %s)",
        [tsquery],
    )
    ids = list(
        base.filter(pk__in=matching).order_by("-pk").values_list("pk", flat=True)[: limit + 1]
    )
    capped = len(ids) > limit
    ids = ids[:limit]
    if sort == "neueste" or not ids:
        return ids, len(ids), capped
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT case_id, ts_rank_cd(vector, to_tsquery('simple', %s), 1) FROM "
            "records_searchdocument WHERE case_id = ANY(%s)",
            [tsquery, ids],
        )
        scores = dict(cursor.fetchall())
    ids.sort(key=lambda pk: (-scores.get(pk, 0.0), -pk))
    return ids, len(ids), capped


# --- the page ---------------------------------------------------------------


def _hits(base: QuerySet[Case], ids: list[int], exact: set[int], parsed: fq.Query) -> list[Hit]:
    if not ids:
        return []
    cases = {
        case.pk: case
        for case in base.filter(pk__in=ids).select_related(
            "service", "department", "owner", "regular_owner"
        )
    }
    matcher = Matcher(parsed.all_terms(), parsed.prefixes())
    sources = _snippet_sources(list(cases.values()))
    hits = []
    for pk in ids:
        case = cases.get(pk)
        if case is None:
            continue  # not visible after all: never shown
        snippet = best_snippet(sources.get(pk, []), matcher) if not parsed.empty else None
        hits.append(
            Hit(
                case=case,
                exact=pk in exact,
                subject_html=highlight(case.subject, matcher),
                snippet=snippet,
            )
        )
    return hits


def _snippet_sources(cases: list[Case]) -> dict[int, list[tuple[str, str]]]:
    """The texts a snippet may come from, per case, in the order they are preferred."""
    from django.utils.translation import gettext as _

    sources: dict[int, list[tuple[str, str]]] = {}
    for case in cases:
        requester = " · ".join(
            v for v in (case.requester_name, case.requester_email, case.requester_phone) if v
        )
        sources[case.pk] = [
            (_("Anliegen"), case.text),
            (_("Antragsteller:in"), requester),
            (_("Ort"), case.location_address),
        ]
    ids = [case.pk for case in cases]
    labels = {"incoming": _("Nachricht"), "outgoing": _("Antwort"), "note": _("Vermerk")}
    for case_id, kind, body in Message.objects.filter(case_id__in=ids).values_list(
        "case_id", "kind", "body"
    ):
        sources[case_id].append((labels.get(kind, kind), body))
    documents = list(
        Document.objects.filter(case_id__in=ids).values_list("pk", "case_id", "name", "text")
    )
    extracted = dict(
        DocumentText.objects.filter(
            document_id__in=[d[0] for d in documents if not d[3]]
        ).values_list("document_id", "text")
    )
    for pk, case_id, name, text in documents:
        label = _("Anhang %(name)s") % {"name": name}
        sources[case_id].append((label, name + "\n" + (text or extracted.get(pk, ""))))
    return sources
