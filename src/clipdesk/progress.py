"""A progress bar on stderr for the commands that run long (rich); it leaves no trace in a
log, where stderr is not a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

# (done, total): the total may be given, or learned, on any call.
ProgressUpdate = Callable[..., None]


@contextlib.contextmanager
def progress_on_stderr(description: str, total: int | None = None) -> Iterator[ProgressUpdate]:
    """A bar for `description`; the caller reports with `update(done)` or `update(done, total)`."""
    console = Console(file=sys.stderr)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=not console.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=total)

        def update(done: int, total: int | None = None) -> None:
            if total is None:
                bar.update(task, completed=done)
            else:
                bar.update(task, completed=done, total=total)

        yield update
