"""A fixed pseudo-random sample bucket per document, for the PostgreSQL engine's estimates.

A query that matches a large part of the archive is counted, and its facets tallied, on the
documents of a few buckets instead of on every match (see `backends.postgres`). The bucket is
a hash of the object id, the same one `backends.postgres.sample_bucket` computes when rows are
written; rows indexed before this migration get theirs here. SQLite instances search with
tantivy, so this migration does nothing there.
"""

from django.db import migrations

POSTGRES_SQL = [
    "ALTER TABLE search_document ADD COLUMN sample smallint NOT NULL DEFAULT 0",
    # Knuth's multiplicative hash of the id, top 10 bits: 0..1023 (numeric: no overflow).
    """
    UPDATE search_document
    SET sample = div(mod(object_id::numeric * 2654435761, 4294967296) * 1024, 4294967296)
    """,
    "CREATE INDEX search_document_sample ON search_document (kind, sample)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_SQL:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_document_sample")
        schema_editor.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS sample")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
