"""`clipdesk reindex`: rebuild the search index from the database, with progress on stderr."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from clipdesk.search.backends import get_backend
from clipdesk.search.indexing import reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index of posts and articles from the database."

    def handle(self, *args, **options) -> None:
        console = Console(file=sys.stderr)
        backend = get_backend()
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=not console.is_terminal,
        ) as bar:
            task = bar.add_task(f"indexing ({backend.name})", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            counts = reindex_all(progress)
        self.stdout.write(
            f"indexed {counts['post']} published posts and {counts['article']} articles "
            f"({backend.name}, {backend.size_bytes() / 1e6:.1f} MB)"
        )
