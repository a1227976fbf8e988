"""Full-text index over articles (same scheme as records 0002, see there)."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE knowledge_article_fts USING fts5(
        index_title, index_body, content='knowledge_article', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='2 3')""",
    """CREATE TRIGGER knowledge_article_ai AFTER INSERT ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(rowid, index_title, index_body)
        VALUES (new.id, new.index_title, new.index_body);
    END""",
    """CREATE TRIGGER knowledge_article_ad AFTER DELETE ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(knowledge_article_fts, rowid, index_title, index_body)
        VALUES ('delete', old.id, old.index_title, old.index_body);
    END""",
    """CREATE TRIGGER knowledge_article_au AFTER UPDATE ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(knowledge_article_fts, rowid, index_title, index_body)
        VALUES ('delete', old.id, old.index_title, old.index_body);
        INSERT INTO knowledge_article_fts(rowid, index_title, index_body)
        VALUES (new.id, new.index_title, new.index_body);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS knowledge_article_au",
    "DROP TRIGGER IF EXISTS knowledge_article_ad",
    "DROP TRIGGER IF EXISTS knowledge_article_ai",
    "DROP TABLE IF EXISTS knowledge_article_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE knowledge_article ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, index_title), 'A')
        || setweight(to_tsvector('simple'::regconfig, index_body), 'B')
    ) STORED""",
    "CREATE INDEX knowledge_article_vector ON knowledge_article USING gin (vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS knowledge_article_vector",
    "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
