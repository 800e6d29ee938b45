"""The PostgreSQL engine's table: a weighted tsvector per document, with a GIN index.

SQLite instances search with tantivy (an index in the instance home, see
clipdesk.search.backends.tantivy_backend), so this migration does nothing there. Written
with RunPython and a vendor check so that one migration applies cleanly on both databases.
"""

from django.db import migrations

POSTGRES_SQL = [
    """
    CREATE TABLE search_document (
        kind varchar(10) NOT NULL,
        object_id bigint NOT NULL,
        date date NOT NULL,
        lang varchar(12) NOT NULL DEFAULT '',
        outlets integer[] NOT NULL DEFAULT '{}',
        entities integer[] NOT NULL DEFAULT '{}',
        tags integer[] NOT NULL DEFAULT '{}',
        vector tsvector NOT NULL,
        PRIMARY KEY (kind, object_id)
    )
    """,
    "CREATE INDEX search_document_vector ON search_document USING gin (vector)",
    "CREATE INDEX search_document_newest ON search_document (kind, date DESC, object_id DESC)",
    "CREATE INDEX search_document_outlets ON search_document USING gin (outlets)",
    "CREATE INDEX search_document_entities ON search_document USING gin (entities)",
    "CREATE INDEX search_document_tags ON search_document USING gin (tags)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_SQL:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS search_document")


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [migrations.RunPython(create, drop)]
