"""Keeping the search index current.

:func:`on_case_write` is subscribed to the case history: it runs inside the
transaction that writes the event, so the index row commits or rolls back with
the change itself and a search never shows a state that was not committed.

A write appends several events at once (intake + assignment, reply + status);
the index is written once, after the last of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from buergerticket.cases.models import Case, CaseEvent, Document, Message, Status
from buergerticket.records.fulltext.analysis import analyse
from buergerticket.records.models import DocumentText, SearchDocument

# Events that change only what the scope column holds (owner, status, …);
# every other event type, including those of other apps, rebuilds the text.
METADATA_EVENTS = frozenset(
    {
        "assigned",
        "status_changed",
        "deadline_suspended",
        "deadline_resumed",
        "deadline_changed",
        "follow_up_set",
        "priority_changed",
        "escalated",
        "reopened",
        "attention_set",
        "attention_cleared",
        "delivery_failed",
        "document_published",
        "message_shared",
    }
)


def scope_terms(case: Case) -> str:
    """Filter and permission terms; see ``engine.scope_expression`` for their use.

    Every id gets a letter prefix so terms never collide with words, and the
    scope column is excluded from the text part of every query.
    """
    created = case.created_at
    terms = [
        f"g{case.organisation_id}",
        f"d{case.department_id}",
        f"o{case.owner_id}",
        f"s{case.service_id}",
        f"st{status_term(case.status)}",
        "closed" if case.status == Status.CLOSED else "open",
        f"y{created.year}",
        f"m{created.year}{created.month:02d}",
    ]
    if case.regular_owner_id:
        terms.append(f"r{case.regular_owner_id}")
    return " ".join(terms)


def status_term(status: str) -> str:
    return status.replace("_", "")


def document_fields(
    case: Case,
    messages: Iterable[tuple[str, str]],
    documents: Iterable[tuple[str, str]],
) -> dict[str, str]:
    """The analysed text of a case, column by column.

    ``messages`` are (subject, body) pairs, ``documents`` (name, text) pairs.
    """
    message_texts = [part for row in messages for part in row if part and part != case.subject]
    form_values = [str(v) for v in _flatten(case.form_data)]
    return {
        "ident": analyse(
            case.file_number,
            case.requester_name,
            case.requester_email,
            case.requester_phone,
            case.requester_address,
        ),
        "subject": analyse(case.subject),
        "body": analyse(
            case.service.name,
            # The first message usually repeats the case text; count it once.
            case.text if case.text not in message_texts else "",
            case.location_address,
            " ".join(case.tags),
            *form_values,
            *message_texts,
        ),
        "attachments": analyse(*(part for pair in documents for part in pair)),
        "scope": scope_terms(case),
    }


def _load_texts(
    case_ids: list[int],
) -> tuple[dict[int, list[tuple[str, str]]], dict[int, list[tuple[str, str]]]]:
    """Messages and documents (with extracted text) of several cases, in few queries."""
    messages: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for case_id, subject, body in (
        Message.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "created_at", "id")
        .values_list("case_id", "subject", "body")
    ):
        messages[case_id].append((subject, body))
    documents: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = list(
        Document.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "id")
        .values_list("pk", "case_id", "name", "text")
    )
    missing = [pk for pk, _case, _name, text in rows if not text]
    extracted = (
        dict(
            DocumentText.objects.filter(document_id__in=missing).values_list("document_id", "text")
        )
        if missing
        else {}
    )
    for pk, case_id, name, text in rows:
        documents[case_id].append((name, text or extracted.get(pk, "")))
    return messages, documents


def _flatten(value: object) -> Iterable[object]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _flatten(item)
    elif isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    elif value not in (None, "", True, False):
        yield value


_FIELDS = ("ident", "subject", "body", "attachments", "scope")


def _texts_of(case_id: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Messages and documents of one case. Plain SQL: this runs inside every
    write of every case, so the ORM's per-query overhead counts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT subject, body FROM cases_message WHERE case_id = %s ORDER BY created_at, id",
            [case_id],
        )
        messages = cursor.fetchall()
        cursor.execute(
            "SELECT d.name, COALESCE(NULLIF(d.text, ''), t.text, '') FROM cases_document d "
            "LEFT JOIN records_documenttext t ON t.document_id = d.id "
            "WHERE d.case_id = %s ORDER BY d.id",
            [case_id],
        )
        documents = cursor.fetchall()
    return messages, documents


def index_case(case: Case, *, full: bool = True) -> None:
    """Write the case's index row (inside the caller's transaction)."""
    with connection.cursor() as cursor:
        if not full:
            cursor.execute(
                "UPDATE records_searchdocument SET scope = %s, indexed_version = %s "
                "WHERE case_id = %s",
                [scope_terms(case), case.version, case.pk],
            )
            if cursor.rowcount:
                return
        messages, documents = _texts_of(case.pk)
        fields = document_fields(case, messages, documents)
        values = [fields[name] for name in _FIELDS]
        cursor.execute(
            "INSERT INTO records_searchdocument (case_id, organisation_id, indexed_version, "
            "ident, subject, body, attachments, scope) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (case_id) DO UPDATE SET organisation_id = excluded.organisation_id, "
            "indexed_version = excluded.indexed_version, ident = excluded.ident, "
            "subject = excluded.subject, body = excluded.body, "
            "attachments = excluded.attachments, scope = excluded.scope",
            [case.pk, case.organisation_id, case.version, *values],
        )


def on_case_write(events: list[CaseEvent], case: Case) -> None:
    """Write subscriber: index once per change; texts only when the change touched them."""
    if any(event.type == "anonymised" for event in events):
        # Extracted attachment text holds personal data as well; the
        # documents' content is gone, so is their text.
        DocumentText.objects.filter(document__case_id=case.pk).delete()
    index_case(case, full=any(event.type not in METADATA_EVENTS for event in events))


def reindex(*, organisation_id: int | None = None, batch_size: int = 1000) -> int:
    """Rebuild the index rows of all cases (or one organisation's); returns their number.

    Works in batches with a few queries each, so a million cases take minutes,
    and each batch is its own transaction: intake goes on meanwhile.
    """
    queryset = Case.objects.select_related("service").order_by("pk")
    if organisation_id is not None:
        queryset = queryset.filter(organisation_id=organisation_id)
    count = 0
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            optimise()
            return count
        last_pk = batch[-1].pk
        ids = [case.pk for case in batch]
        messages, documents = _load_texts(ids)
        rows = [
            SearchDocument(
                case_id=case.pk,
                organisation_id=case.organisation_id,
                indexed_version=case.version,
                **document_fields(case, messages[case.pk], documents[case.pk]),
            )
            for case in batch
        ]
        with transaction.atomic():
            SearchDocument.objects.filter(case_id__in=ids).delete()
            SearchDocument.objects.bulk_create(rows)
        count += len(rows)


def optimise() -> None:
    """Merge the FTS5 index into one segment (after bulk loads; SQLite only).

    Incremental writes leave many small segments that FTS5 merges gradually;
    a bulk rebuild merged at once answers common-word queries faster.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO records_search_fts(records_search_fts) VALUES ('optimize')")


def merge_step(pages: int = 2000) -> None:
    """Worker job: a bounded piece of FTS5 segment merging (SQLite only).

    Keeps the index of a busy installation compact without the long write
    lock a full ``optimise`` would take.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO records_search_fts(records_search_fts, rank) VALUES ('merge', %s)",
            [pages],
        )
