import json as jsonlib

from clipdesk.arguments import MAX_ROW_ID, whole_number
from clipdesk.articles.models import Article
from clipdesk.command import ClipdeskCommand


class Command(ClipdeskCommand):
    help = "List stored articles."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--matched", action="store_true", help="only watchlist candidates")
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--limit",
            type=whole_number(0, MAX_ROW_ID),
            default=0,
            help="at most this many (newest); 0: all",
        )

    def handle(self, *args, matched: bool, json: bool, limit: int, **options) -> None:
        articles = Article.objects.select_related("outlet").prefetch_related("matches__entity")
        if matched:
            articles = articles.matched()
        articles = articles.order_by("-fetched_at", "-id")
        if limit:
            articles = articles[:limit]
        rows = [_row(a) for a in articles]
        if json:
            self.stdout.write(jsonlib.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            entities = ", ".join(r["entities"]) or "-"
            self.stdout.write(
                f"{r['id']:>5}  {r['published'] or '----------'}  {r['title']}  [{entities}]"
            )


def _row(a: Article) -> dict:
    return {
        "id": a.pk,
        "url": a.url,
        "canonical_url": a.canonical_url,
        "title": a.title,
        "authors": a.authors,
        "outlet": a.outlet.name if a.outlet else (a.outlet_name or None),
        "published": a.published.isoformat() if a.published else None,
        "language": a.language or None,
        "entities": sorted({m.entity.name for m in a.matches.all()}),
        "snapshot": a.snapshot_id,
    }
