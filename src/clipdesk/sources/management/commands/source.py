import datetime
import json

from django.core.management.base import CommandError
from django.utils import timezone

from clipdesk.arguments import row_id
from clipdesk.command import ClipdeskCommand
from clipdesk.sources.actions import SourceError, add_source, changed_source, removed_source
from clipdesk.sources.models import Source


class Command(ClipdeskCommand):
    help = "Add, list, change or remove sources (feeds, sitemaps, listing pages)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a source; a homepage's feed is found for you")
        add.add_argument("url")
        add.add_argument("--name", default="")
        add.add_argument("--kind", choices=[k.value for k in Source.Kind])
        listing = sub.add_parser("list", help="list sources and their state")
        listing.add_argument("--json", action="store_true")
        change = sub.add_parser(
            "set", help="rename a source, set its kind, or stop (--disable) and resume polling it"
        )
        change.add_argument("id", type=row_id, help="the source's id, as `source list` shows it")
        change.add_argument("--name", help='the new name; "" for none (a feed then names itself)')
        change.add_argument("--kind", choices=[k.value for k in Source.Kind])
        polling = change.add_mutually_exclusive_group()
        polling.add_argument(
            "--disable", action="store_false", dest="enabled", default=None, help="stop polling it"
        )
        polling.add_argument(
            "--enable", action="store_true", dest="enabled", default=None, help="poll it again"
        )
        remove = sub.add_parser(
            "remove", help="stop polling a source and forget it; its articles are kept"
        )
        remove.add_argument("id", type=row_id, help="the source's id, as `source list` shows it")

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "set":
                self._change(options["id"], options["name"], options["kind"], options["enabled"])
                return
            if action == "remove":
                source, articles = removed_source(options["id"])
                self.stdout.write(
                    f"Removed source {options['id']}: {source.url}; "
                    f"its {articles} article(s) are kept"
                )
                return
        except SourceError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if action == "add":
            try:
                added = add_source(options["url"], name=options["name"], kind=options["kind"])
            except SourceError as exc:
                raise CommandError(str(exc), returncode=2) from exc
            verb = "Added" if added.created else "Kept"
            s = added.source
            note = f": {added.note}" if added.note else ""
            if not added.created and options["name"] and options["name"] != s.name:
                # Adding again changes nothing; the name asked for was dropped without a word.
                note += f"; its name is unchanged (`source set {s.pk} --name` renames it)"
            self.stdout.write(f"{verb} source {s.pk}: {s.url} ({s.kind}){note}")
            return
        sources = list(Source.objects.order_by("id"))
        if options["json"]:
            rows = [_row(s) for s in sources]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not sources:
            self.stdout.write("No sources yet: add one with `clipdesk source add URL`.")
        for source in sources:
            self.stdout.write(_line(source))

    def _change(self, source_id: int, name: str | None, kind: str | None, enabled: bool | None):
        if name is None and kind is None and enabled is None:
            raise CommandError(
                "source set: say what to change: --name, --kind, --disable or --enable",
                returncode=2,
            )
        s = changed_source(source_id, name=name, kind=kind, enabled=enabled)
        polled = "polled" if s.enabled else "not polled (disabled)"
        name = f" “{s.name}”" if s.name else ""
        self.stdout.write(f"Source {s.pk}{name}: {s.url} ({s.kind}), {polled}")


def _line(s: Source) -> str:
    """One source as `source list` shows it: what it is, how its last read went, and when it
    was last read and is read next (the admin's columns, on one line)."""
    if s.last_error:
        state = f"error ×{s.error_count}: {s.last_error}"
    elif s.last_checked_at is None:
        state = "not polled yet"  # "ok" said of a source never read told the editor nothing
    elif s.problems:  # read all the same: what the editor may want to tell the site
        state = f"read, with {len(s.problems)} problem(s): {s.problems[0]}"
    else:
        state = "ok"
    if s.moved_note:  # the address shown is not the one the editor added: say why
        state = f"{state}; {s.moved_note}"
    if not s.enabled:
        state = f"disabled; {state}"
    times = []
    if s.failing_since is not None:  # the first failure of the run still going on
        times.append(f"failing since {_when(s.failing_since)}")
    if s.last_success_at is not None:
        times.append(f"last read {_when(s.last_success_at)}")
    if s.enabled:
        times.append(f"next check {_when(s.next_check_at)}")
    name = f"{s.name}  " if s.name else ""
    return f"{s.pk:>4}  {s.kind:<8} {name}{s.url}  [{state}]  {', '.join(times)}".rstrip()


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def _row(s: Source) -> dict:
    def iso(value):
        return value.isoformat() if value else None

    return {
        "id": s.pk,
        "url": s.url,
        "name": s.name,
        "kind": s.kind,
        "format": s.format,
        "enabled": s.enabled,
        "last_success": iso(s.last_success_at),
        "last_error": s.last_error,
        "error_count": s.error_count,
        "failing_since": iso(s.failing_since),
        "next_check": iso(s.next_check_at),
        "problems": s.problems,
        "moved": s.moved_note,
    }
