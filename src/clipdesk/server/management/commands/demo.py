import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import connection

from clipdesk.archive.importing import gazetteer_for, import_page
from clipdesk.archive.reading import expand_paths, read_page
from clipdesk.command import ClipdeskCommand
from clipdesk.demo.corpus_server import FEEDS, OUTLET_NAMES, WATCHLIST, CorpusServer
from clipdesk.digest.outlets import OutletDirectory
from clipdesk.ingest import poll_sources
from clipdesk.server import ports
from clipdesk.server.guards import require_free_port
from clipdesk.server.ports import listen_host, port_number
from clipdesk.server.serving import serve
from clipdesk.server.setup import database_label, init_instance
from clipdesk.sources.actions import add_source
from clipdesk.watch.store import add_entity

DEMO_CONTENT = Path(__file__).resolve().parents[3] / "demo" / "content"
# The sample archive's own (fictional) subject, watched beside the corpus's, so that searching
# the archive's posts for one of its names finds the others too.
ARCHIVE_SUBJECT = {
    "Lantern Fellowship": [
        "LF",
        "Fellowship of the Lantern",
        "Lanternists",
        "Jamiat-e Fanus",
        "Hermandad del Farol",
        "جمعیت فانوس",
    ],
}


def instance_contents() -> dict[str, int]:
    """What the database already holds that the demo would add to or change: its posts,
    sources, watched entities and accounts (none while it is not set up)."""
    from clipdesk.digest.models import Post
    from clipdesk.sources.models import Source
    from clipdesk.watch.models import Entity

    models = {
        "post(s)": Post,
        "source(s)": Source,
        "watched entit(ies)": Entity,
        "account(s)": get_user_model(),
    }
    tables = set(connection.introspection.table_names())
    return {
        label: model.objects.count()
        for label, model in models.items()
        if model._meta.db_table in tables
    }


def refuse_an_instance_in_use() -> None:
    """The demo publishes a fictional archive, adds sources on a loopback server that stops
    with it and resets the "admin" account's password. Given an instance already in use
    (--home, or a DATABASE_URL left exported from running one) it wrote all that into it."""
    held = {label: count for label, count in instance_contents().items() if count}
    if held:
        counts = ", ".join(f"{count} {label}" for label, count in held.items())
        raise CommandError(
            f"demo: {database_label()} already holds an instance ({counts}); the demo sets "
            "up its own: run it without --home and DATABASE_URL, or give --home a new folder",
            returncode=2,
        )


class Command(ClipdeskCommand):
    help = (
        "Start a demo: a fresh instance (in a temporary home unless --home is given) with "
        "the sample archive of a fictional organisation, a local news corpus it polls for a "
        "watchlist, an admin account, and the server. Needs no network."
    )
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", type=listen_host, default="127.0.0.1")
        parser.add_argument("--port", type=port_number, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="set the instance up, then stop"
        )

    def handle(self, *args, host: str, port: int, no_serve: bool, **options) -> None:
        if not no_serve:
            require_free_port("demo", host, port)  # before minutes of setup, not after
        refuse_an_instance_in_use()
        init_instance()
        # Watched before the archive comes in: its posts are indexed with the names they
        # carry (`entity:` and the watched-names facet found none of them otherwise).
        for name, aliases in {**WATCHLIST, **ARCHIVE_SUBJECT}.items():
            add_entity(name, aliases)
        posts = self._import_archive()
        corpus = CorpusServer().start()
        # The corpus is on loopback, which the fetcher refuses unless told otherwise.
        os.environ["CLIPDESK_FETCH_ALLOW"] = "127.0.0.1"
        for path, kind in FEEDS:
            add_source(corpus.url(path), name=OUTLET_NAMES.get(path, ""), kind=kind)
        polled = poll_sources(due_only=False)
        password = self._admin_password()
        address = f"http://{ports.address(host, port)}/"
        lines = [
            f"Demo instance in {settings.CLIPDESK_HOME}",
            f"  {posts} archive post(s) imported; {len(FEEDS)} sources on {corpus.base_url}, "
            f"{polled.articles_new} article(s) stored, {polled.articles_matched} matching "
            f"the watchlist.",
            f"  Admin: {address}admin/  user “admin”, password “{password}”",
        ]
        if no_serve:
            corpus.stop()
            self.stdout.write("\n".join(lines))
            return

        def ready() -> None:
            self.stdout.write("\n".join([*lines, f"Demo running at {address}  (Ctrl-C stops)"]))
            self.stdout.flush()

        try:
            serve(host, port, on_ready=ready, command="demo")
        finally:
            corpus.stop()

    def _import_archive(self) -> int:
        outlets = OutletDirectory()
        gazetteer = gazetteer_for(outlets)
        added = 0
        for path in expand_paths([str(DEMO_CONTENT)]):
            added += import_page(read_page(path, gazetteer), outlets).added
        return added

    def _admin_password(self) -> str:
        """A fresh random password for the demo's admin account, made or reset here."""
        password = secrets.token_urlsafe(12)
        user_model = get_user_model()
        user = user_model.objects.filter(username="admin").first()
        if user is None:
            user_model.objects.create_superuser("admin", "admin@example.invalid", password)
        else:
            user.set_password(password)
            user.save()
        return password
