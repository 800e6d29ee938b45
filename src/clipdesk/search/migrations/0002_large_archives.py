"""What the PostgreSQL engine needs to answer quickly over a large archive.

- `sample`: a fixed pseudo-random bucket (0..1023) per document, a hash of the object id, the
  same one `backends.postgres_sql.sample_bucket` computes when rows are written (rows written
  before this migration get theirs here). A query with a very large result is counted, and
  its facets tallied, on the documents of a few buckets; `search_document_sample` and the
  partial GIN indexes over the first 32 buckets find those documents without reading the
  whole posting list of a common word.
- `search_document_lang`: the language filter, with the date for the newest matches.
- `search_pairs(vector)`: a hash (18 bits) of every two neighbouring words of a document,
  indexed; the function is only evaluated when a row is written. A phrase of common words
  finds its few candidates there, instead of the positions of every document that has both
  words somewhere being checked (`backends.postgres_sql.pairs_condition`).

SQLite instances search with tantivy, so this migration does nothing there.
"""

from django.db import migrations

POSTGRES_SQL = [
    "ALTER TABLE search_document ADD COLUMN sample smallint NOT NULL DEFAULT 0",
    # Knuth's multiplicative hash of the id, top 10 bits: 0..1023 (numeric: no overflow).
    """
    UPDATE search_document
    SET sample = div(mod(object_id::numeric * 2654435761, 4294967296) * 1024, 4294967296)
    """,
    "CREATE INDEX search_document_sample ON search_document (kind, sample, lang, date)",
    "CREATE INDEX search_document_lang ON search_document (kind, lang, date)",
    """
    CREATE INDEX search_document_sample_vector ON search_document USING gin (vector)
    WHERE sample < 32
    """,
    """
    CREATE INDEX search_document_sample_outlets ON search_document USING gin (outlets)
    WHERE sample < 32
    """,
    """
    CREATE FUNCTION search_pairs(vector tsvector) RETURNS integer[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT hashtext(a.lexeme || '|' || b.lexeme) & 262143), '{}')
        FROM (SELECT lexeme, unnest(positions) AS at FROM unnest(vector)) AS a
        JOIN (SELECT lexeme, unnest(positions) AS at FROM unnest(vector)) AS b
            ON b.at = a.at + 1
    $$
    """,
    "CREATE INDEX search_document_pairs ON search_document USING gin (search_pairs(vector))",
    """
    CREATE INDEX search_document_sample_pairs ON search_document USING gin (search_pairs(vector))
    WHERE sample < 32
    """,
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_SQL:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in ("sample_pairs", "pairs", "sample_outlets", "sample_vector", "lang", "sample"):
            schema_editor.execute(f"DROP INDEX IF EXISTS search_document_{index}")
        schema_editor.execute("DROP FUNCTION IF EXISTS search_pairs(tsvector)")
        schema_editor.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS sample")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
