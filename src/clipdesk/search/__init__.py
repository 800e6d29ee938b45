"""Search over published posts and stored articles: one query language, two engines.

`service.search` is the one entry point (the /search/ page, /api/search and `clipdesk search`
are thin fronts over it); `indexing` keeps the engine in step with the database; `query`
parses what readers type; `backends` holds the engines (tantivy beside SQLite, a tsvector in
PostgreSQL) and says why each was chosen.
"""
