"""`clipdesk reindex`: rebuild the search index from the database, with progress on stderr."""

from __future__ import annotations

from django.core.management.base import CommandError

from clipdesk.command import ClipdeskCommand
from clipdesk.progress import progress_on_stderr
from clipdesk.search.backends import get_backend
from clipdesk.search.indexing import reindex_all


class Command(ClipdeskCommand):
    help = "Rebuild the search index of posts and articles from the database."

    def handle(self, *args, **options) -> None:
        backend = get_backend()
        try:
            with progress_on_stderr(f"indexing ({backend.name})") as progress:
                counts = reindex_all(progress)
        except (OSError, ValueError) as exc:  # the index's folder or files cannot be written
            reason = " ".join(str(exc).split())[:300] or type(exc).__name__
            raise CommandError(
                f"reindex: the search index could not be written ({reason})", returncode=2
            ) from exc
        self.stdout.write(
            f"indexed {counts['post']} published posts and {counts['article']} articles "
            f"({backend.name}, {backend.size_bytes() / 1e6:.1f} MB)"
        )
