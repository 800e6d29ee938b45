import json

from django.core.management.base import CommandError

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
            self.stdout.write(f"{verb} source {s.pk}: {s.url} ({s.kind}){note}")
            return
        rows = [_row(s) for s in Source.objects.order_by("id")]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            if r["last_error"]:
                state = f"error ×{r['error_count']}: {r['last_error']}"
            elif r["problems"]:  # read all the same: what the editor may want to tell the site
                state = f"read, with {len(r['problems'])} problem(s): {r['problems'][0]}"
            else:
                state = "ok"
            if not r["enabled"]:
                state = f"disabled; {state}"
            name = f"{r['name']}  " if r["name"] else ""
            self.stdout.write(f"{r['id']:>4}  {r['kind']:<8} {name}{r['url']}  [{state}]")

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
        "next_check": iso(s.next_check_at),
        "problems": s.problems,
    }
