"""Publishing fast: the public pages' cache (caching.py) and a static copy (export.py)."""
