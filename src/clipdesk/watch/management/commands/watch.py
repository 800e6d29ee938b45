import json

from django.core.management.base import CommandError

from clipdesk.command import ClipdeskCommand
from clipdesk.watch.matching import too_short
from clipdesk.watch.models import Entity
from clipdesk.watch.rematching import apply_rematch, follow_in_search
from clipdesk.watch.store import (
    DEFAULT_WATCHLIST,
    MATCHING_CHANGED,
    WatchError,
    matching_has_changed,
    rematch_articles,
    shared_aliases,
    watch_entity,
)


class Command(ClipdeskCommand):
    help = "Manage watched entities and their aliases."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="watch an entity under one or more aliases")
        add.add_argument("name")
        add.add_argument("--alias", action="append", default=[], dest="aliases")
        add.add_argument("--list", default=DEFAULT_WATCHLIST, dest="watchlist")
        listing = sub.add_parser("list", help="list watched entities")
        listing.add_argument("--json", action="store_true")
        rematch = sub.add_parser("rematch", help="re-apply the watchlists to stored articles")
        rematch.add_argument(
            "--apply", action="store_true", help="store the changes (else preview)"
        )

    def handle(self, *args, action: str, **options) -> None:
        if action == "add":
            try:
                entity, known = watch_entity(
                    options["name"], options["aliases"], options["watchlist"]
                )
            except WatchError as exc:
                raise CommandError(str(exc), returncode=2) from exc
            aliases = [a.text for a in entity.aliases.all()]
            # An entity already watched is extended, not made again: say so, or the editor
            # cannot tell a typo'd second entity from the one meant.
            extended = " (already watched: the aliases given were added)" if known else ""
            self.stdout.write(
                f"Watching {entity.name} ({', '.join(aliases) or 'no other names'}){extended}"
            )
            for alias in [entity.name, *aliases]:
                if warning := too_short(alias):
                    self.stderr.write(f"watch: warning: {warning}")
            for alias, other in shared_aliases(entity):
                self.stderr.write(
                    f"watch: warning: {other.name} also goes by {alias!r}: "
                    "an article naming it matches both"
                )
            # Published posts indexed again, so that search finds them by the new names.
            self._say_posts_indexed(follow_in_search())
        elif action == "list":
            rows = [
                {
                    "id": e.pk,
                    "watchlist": e.watchlist.name,
                    "name": e.name,
                    "aliases": [a.text for a in e.aliases.all()],
                }
                for e in Entity.objects.select_related("watchlist").prefetch_related("aliases")
            ]
            if options["json"]:
                self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            else:
                for r in rows:
                    self.stdout.write(f"{r['name']}: {', '.join(r['aliases'])}")
            if matching_has_changed():
                self.stderr.write(f"watch: {MATCHING_CHANGED}")
        else:
            if options["apply"]:
                applied = apply_rematch(None, by="clipdesk watch rematch")
                changes = applied.changes
            else:
                changes = rematch_articles(apply=False)
            for c in changes:
                places = f"{c.places_found} place(s) found, {c.places_lost} no longer"
                self.stdout.write(
                    f"article {c.article_id} “{c.title}”: +{c.gained} -{c.lost}; {places}"
                )
            verb = "applied" if options["apply"] else "would change (preview; --apply stores it)"
            self.stdout.write(f"{len(changes)} article(s) {verb}")
            if options["apply"]:
                self._say_posts_indexed(applied.posts_indexed)

    def _say_posts_indexed(self, posts: int | None) -> None:
        if posts is not None:
            self.stdout.write(f"{posts} published post(s) indexed with the watchlists")
