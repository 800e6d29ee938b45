import json

from django.core.management.base import CommandError
from django.db.models import Prefetch

from clipdesk.arguments import row_id
from clipdesk.articles.models import Article
from clipdesk.command import ClipdeskCommand
from clipdesk.digest.actions import PublishRefused, publish_articles
from clipdesk.digest.credits import source_line
from clipdesk.stories.excerpts import suggest_excerpt
from clipdesk.stories.models import Story
from clipdesk.watch.models import Match


class Command(ClipdeskCommand):
    help = (
        "Publish articles as one post credited to each of them, in the order given. The "
        "excerpt must be a verbatim quote of the articles; without one, a suggested passage "
        "of the first article is used."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("article_ids", nargs="+", type=row_id, metavar="ARTICLE_ID")
        parser.add_argument("--headline", help="default: the first article's title")
        parser.add_argument("--excerpt", help="a quote from the articles")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, article_ids: list[int], **options) -> None:
        matches = Match.objects.select_related("entity")
        found = Article.objects.filter(pk__in=article_ids).select_related("outlet")
        found = found.prefetch_related(Prefetch("matches", queryset=matches))
        by_id = {a.pk: a for a in found}
        missing = [i for i in article_ids if i not in by_id]
        if missing:
            raise CommandError(
                f"publish: no article with id {', '.join(map(str, missing))}", returncode=2
            )
        articles = [by_id[i] for i in dict.fromkeys(article_ids)]
        published = (
            Story.objects.filter(members__article__in=articles, status=Story.Status.PUBLISHED)
            .exclude(post=None)
            .select_related("post")
            .first()
        )
        if published is not None:
            # As the desk refuses it: run twice, the command made a second post of one story.
            raise CommandError(
                f"publish: story {published.pk} of these articles is already published as "
                f"“{published.post.headline}” (post {published.post.pk}); edit that post instead",
                returncode=2,
            )
        lead = articles[0]
        excerpt = options["excerpt"] or suggest_excerpt(
            lead.text,
            headline=lead.title,
            entity_spans=[(m.start, m.end) for m in lead.matches.all() if m.field == "text"],
        )
        tags = sorted({m.entity.name for a in articles for m in a.matches.all()})
        try:
            post = publish_articles(
                articles, headline=options["headline"], excerpt=excerpt, tags=tags
            )
        except PublishRefused as exc:
            raise CommandError(str(exc), returncode=2) from exc
        Story.objects.filter(members__article__in=articles).update(
            status=Story.Status.PUBLISHED, post=post, new_coverage_since=None
        )
        line = source_line(post.credits.select_related("outlet"))
        if options["json"]:
            data = {
                "post": post.pk,
                "url": post.get_absolute_url(),
                "headline": post.headline,
                "posted_on": post.posted_on.isoformat(),
                "source_line": line,
                "excerpt": post.excerpt,
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"Published post {post.pk}: {post.headline}\n{line}:… {post.excerpt}")
