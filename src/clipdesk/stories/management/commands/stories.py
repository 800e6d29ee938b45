import json

from django.db.models import Prefetch

from clipdesk.command import ClipdeskCommand
from clipdesk.stories.desk import copies_by_article, credited_by_post, new_coverage
from clipdesk.stories.models import Story, StoryMember


class Command(ClipdeskCommand):
    help = "List stories with their articles (newest first)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--all", action="store_true", help="also published and dismissed")

    def handle(self, *args, json: bool, all: bool, **options) -> None:
        stories = Story.objects.filter(merged_into__isnull=True)
        if not all:
            stories = stories.on_desk()
        members = StoryMember.objects.select_related("article__outlet").order_by("joined_at", "id")
        stories = stories.prefetch_related(Prefetch("members", queryset=members)).order_by(
            "-updated_at", "-id"
        )
        stories = [s for s in stories if s.members.all()]
        articles = [m.article for s in stories for m in s.members.all()]
        copies = copies_by_article(articles)
        credited = credited_by_post([s.post_id for s in stories if s.post_id])
        rows = [_row(s, copies, credited.get(s.post_id)) for s in stories]
        if json:
            self.stdout.write(_dumps(rows))
            return
        for row in rows:
            outlets = ", ".join(sorted({a["outlet"] or "?" for a in row["articles"]}))
            self.stdout.write(f"story {row['id']} [{row['status']}] {outlets}")
            for a in row["articles"]:
                self.stdout.write(f"   {a['id']:>5}  {a['title']}")


def _row(story: Story, copies: dict, credited) -> dict:
    members = list(story.members.all())
    shown = [c for m in members for c in copies.get(m.article_id, [])]
    new_articles, new_copies = new_coverage(story, members, shown, credited)
    return {
        "id": story.pk,
        "status": story.status,
        "post": story.post_id,
        # Set while articles that came after the story was published or dismissed wait.
        "new_coverage_since": (
            story.new_coverage_since.isoformat() if story.new_coverage_since else None
        ),
        "articles": [
            {
                "id": m.article.pk,
                "new": m.article_id in new_articles,
                "title": m.article.title,
                "outlet": m.article.outlet.name if m.article.outlet else m.article.outlet_name,
                "url": m.article.url,
                "published": m.article.published.isoformat() if m.article.published else None,
                "reason": m.reason,
                "pinned": m.pinned,
                # The same text at other outlets: stored once, each may be credited.
                "copies": [
                    {
                        "id": c.pk,
                        "outlet": c.outlet.name,
                        "url": c.url,
                        "new": c.pk in new_copies,
                    }
                    for c in copies.get(m.article_id, [])
                ],
            }
            for m in members
        ],
    }


def _dumps(rows) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)
