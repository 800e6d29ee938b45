"""The `clipdesk` command: a thin front over Django's management commands.

`clipdesk [--home DIR] COMMAND ...` picks the instance, then runs the command of that name
(`import-archive` runs `import_archive`). `clipdesk manage ...` passes anything through to
Django (`createsuperuser`, `migrate`, `shell`, ...).
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile

from clipdesk import __version__
from clipdesk.instance import HOME_ENV, ensure_home, home_dir
from clipdesk.storage import database_refusal, file_refusal

COMMANDS = {
    "init": "create or migrate an instance",
    "status": "the instance's health in one look (--json); exit 1: something needs attention",
    "import-archive": "import saved digest pages (text or HTML)",
    "source": "sources: source add URL, source list, source set ID, source remove ID",
    "watch": "watched entities: watch add NAME --alias A, watch list, watch rematch",
    "poll": "poll due sources (--once: all of them, one round)",
    "articles": "list stored articles (--matched, --json)",
    "reextract": "extract stored articles again from their snapshots: --language fa, --id N",
    "stories": "list stories on the desk with their articles (--json)",
    "publish": "publish articles as one post: publish ARTICLE_ID... [--headline] [--excerpt]",
    "search": "search posts or articles: search QUERY [--type article] [--json]",
    "reindex": "rebuild the search index from the database",
    "export-static": "write a static copy of the site: export-static DIR [--base-url URL]",
    "backup": "a consistent copy of the instance while it runs: backup DEST [--verify]",
    "run": "serve the instance with a production server",
    "worker": "run ingest tasks from the broker (CLIPDESK_BROKER_URL): worker [--queues]",
    "scheduler": "send the look for due sources to the workers every interval (Celery beat)",
    "people": "accounts: people add NAME --role R, people list, people role|unlock|disable NAME",
    "demo": "start a demo instance with sample content in a temporary home",
    "manage": "any Django management command (createsuperuser, migrate, shell, ...)",
}

# Commands that may start in a folder that does not exist yet: they make the instance.
MAKE_HOME = {"init", "demo", "manage"}

USAGE = (
    "usage: clipdesk [--home DIR] COMMAND [ARGS...]\n\ncommands:\n"
    + "".join(f"  {name:<16}{text}\n" for name, text in COMMANDS.items())
    + (
        "\n--home DIR (or CLIPDESK_HOME) is the instance folder, default ./clipdesk-data;\n"
        "DATABASE_URL=postgres://... keeps the data in PostgreSQL instead.\n"
        "`clipdesk COMMAND --help` tells more about one command.\n"
    )
)


def _pop_home(argv: list[str]) -> tuple[str | None, list[str]]:
    """Take `--home DIR` / `--home=DIR` out of argv, wherever it stands."""
    home: str | None = None
    rest: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--home":
            home = next(args, None)
            if home is None:
                raise SystemExit("clipdesk: --home needs a folder")
        elif arg.startswith("--home="):
            home = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    if home is not None and not home.strip():
        # An empty value ("$UNSET_VARIABLE") fell back to ./clipdesk-data without a word.
        raise SystemExit("clipdesk: --home needs a folder, not an empty value")
    return home, rest


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    home, argv = _pop_home(argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    if argv[0] == "--version":
        print(f"clipdesk {__version__}")
        return 0
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        sys.stderr.write(f"clipdesk: unknown command {command!r}\n\n{USAGE}")
        return 2
    throwaway: str | None = None
    owner = os.getpid()  # the server's workers are forked from this process: not theirs
    if command == "demo" and home is None:
        home = tempfile.mkdtemp(prefix="clipdesk-demo-")
        if "--no-serve" not in rest:  # set up to be looked at: kept, and named in the output
            # A temporary instance, removed when the demo stops (each left 1 MB in /tmp).
            throwaway = home
    if home is not None:
        os.environ[HOME_ENV] = home
    # A dry run reads the archive only, and verifying a backup reads the backup only (on a
    # machine that keeps backups and runs no instance): with no instance they make none.
    reads_only = (command == "import-archive" and "--dry-run" in rest) or (
        command == "backup" and "--verify" in rest
    )
    if reads_only and not os.environ.get("DATABASE_URL") and not home_dir().exists():
        throwaway = tempfile.mkdtemp(prefix="clipdesk-dry-run-")
        os.environ[HOME_ENV] = throwaway
    sqlite = not os.environ.get("DATABASE_URL")
    if command not in MAKE_HOME and sqlite and not home_dir().exists():
        # The database lives in the home, so there is no instance: said before anything is
        # made. The command used to fail on the empty database it had just created, leaving
        # a database file and a key in a folder nobody asked for.
        sys.stderr.write(
            f"clipdesk {command}: there is no instance at {home_dir()}; `clipdesk init` makes "
            "one (or give --home DIR)\n"
        )
        return 2
    try:
        ensure_home(home_dir())  # settings would make it, with a traceback when it cannot
    except OSError as exc:
        reason = "a file, not a folder" if home_dir().is_file() else exc.strerror or str(exc)
        sys.stderr.write(f"clipdesk: cannot use {home_dir()} as the instance home ({reason})\n")
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clipdesk.settings")

    from django.core.management import ManagementUtility

    if command == "manage":
        utility = ManagementUtility(["clipdesk manage", *rest])
    else:
        utility = ManagementUtility(["clipdesk", command.replace("-", "_"), *rest])
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    try:
        utility.execute()
    except ImproperlyConfigured as exc:  # the environment's settings (DATABASE_URL, ...)
        sys.stderr.write(f"clipdesk {command}: {exc}\n")
        return 2
    except DatabaseError as exc:
        if (refusal := database_refusal(exc)) is not None:
            # A full or read-only disk under the database: the transaction the write was in
            # is rolled back, so the command can simply run again once the disk is mended.
            from clipdesk.server.setup import database_label

            sys.stderr.write(
                f"clipdesk {command}: cannot write the database, {database_label()} "
                f"({refusal.reason}); what the command was writing is rolled back; "
                f"{refusal.remedy}, then run the command again\n"
            )
            return 1
        from clipdesk.server.guards import database_problem

        if (problem := database_problem()) is None:
            raise  # the database is fine: a fault in the command, whose traceback helps
        sys.stderr.write(f"clipdesk {command}: {problem}\n")
        return 2
    except BrokenPipeError:
        # The reader of the output went away (`clipdesk articles --json | head`): stop as
        # programs in a pipe do, quietly; Python's own flush at exit would fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE
    except OSError as exc:
        if (refusal := file_refusal(exc)) is None:
            raise
        # What was being written is rolled back with its transaction; the next run does it.
        # A full disk fails a write when the file is flushed, with an error that names none.
        what = exc.filename or "to the disk"
        sys.stderr.write(
            f"clipdesk {command}: cannot write {what} ({refusal.reason}); "
            f"{refusal.remedy}, then run the command again\n"
        )
        return 1
    except KeyboardInterrupt:
        # Ctrl-C (the terminal sends it to `run`'s poller and workers too): what was written
        # is committed or rolled back by the transactions; a traceback would only alarm.
        sys.stderr.write(f"clipdesk {command}: interrupted\n")
        return 130  # 128 + SIGINT, as shells report it
    finally:
        if throwaway is not None and os.getpid() == owner:
            shutil.rmtree(throwaway, ignore_errors=True)
    # The command is done. At exit the interpreter runs the cyclic collector over every
    # object still alive (Django, the extractor, the language model: millions after a poll),
    # which took 0.45 s after `poll --once`; frozen objects are left out of it. Nothing here
    # relies on a finaliser in a reference cycle at exit (connections and files are closed
    # by their commands).
    gc.freeze()
    return 0
