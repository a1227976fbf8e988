"""The full-text index over ``records_searchdocument``, per database.

SQLite: an external-content FTS5 table kept in step by triggers, so every
insert/update/delete of a SearchDocument row (including the cascade when a
case is disposed of) reaches the index in the same transaction.

PostgreSQL: a generated, weighted ``tsvector`` column with a GIN index. The
terms are already stemmed and folded by ``records.fulltext.analysis``, so the
``simple`` configuration only splits them.
"""

from django.db import migrations

# ruff: noqa: S608 - fixed DDL built from constants, no user input

FTS_COLUMNS = "ident, subject, body, attachments, scope"
NEW = ", ".join(f"new.{c.strip()}" for c in FTS_COLUMNS.split(","))
OLD = ", ".join(f"old.{c.strip()}" for c in FTS_COLUMNS.split(","))

SQLITE_FORWARD = [
    f"""CREATE VIRTUAL TABLE records_search_fts USING fts5(
        {FTS_COLUMNS},
        content='records_searchdocument', content_rowid='case_id',
        tokenize='unicode61 remove_diacritics 0', prefix='2 3')""",
    f"""CREATE TRIGGER records_search_ai AFTER INSERT ON records_searchdocument BEGIN
        INSERT INTO records_search_fts(rowid, {FTS_COLUMNS}) VALUES (new.case_id, {NEW});
    END""",
    f"""CREATE TRIGGER records_search_ad AFTER DELETE ON records_searchdocument BEGIN
        INSERT INTO records_search_fts(records_search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.case_id, {OLD});
    END""",
    f"""CREATE TRIGGER records_search_au AFTER UPDATE ON records_searchdocument BEGIN
        INSERT INTO records_search_fts(records_search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.case_id, {OLD});
        INSERT INTO records_search_fts(rowid, {FTS_COLUMNS}) VALUES (new.case_id, {NEW});
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS records_search_au",
    "DROP TRIGGER IF EXISTS records_search_ad",
    "DROP TRIGGER IF EXISTS records_search_ai",
    "DROP TABLE IF EXISTS records_search_fts",
]

POSTGRES_FORWARD = [
    """ALTER TABLE records_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, ident), 'A')
        || setweight(to_tsvector('simple'::regconfig, subject), 'A')
        || setweight(to_tsvector('simple'::regconfig, body), 'B')
        || setweight(to_tsvector('simple'::regconfig, attachments), 'C')
    ) STORED""",
    "CREATE INDEX records_search_vector ON records_searchdocument USING gin (vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS records_search_vector",
    "ALTER TABLE records_searchdocument DROP COLUMN IF EXISTS vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
