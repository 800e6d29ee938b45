"""`clipdesk reindex`: rebuild the search index from the database, with progress on stderr."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from clipdesk.progress import progress_on_stderr
from clipdesk.search.backends import get_backend
from clipdesk.search.indexing import reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index of posts and articles from the database."

    def handle(self, *args, **options) -> None:
        backend = get_backend()
        with progress_on_stderr(f"indexing ({backend.name})") as progress:
            counts = reindex_all(progress)
        self.stdout.write(
            f"indexed {counts['post']} published posts and {counts['article']} articles "
            f"({backend.name}, {backend.size_bytes() / 1e6:.1f} MB)"
        )
