"""`clipdesk reextract`: extract stored articles again from their snapshots.

For when extraction got better (a new site rule, a fixed extractor: Persian articles stored
before zero-width joiners were kept have their words fused): the snapshot is the evidence,
so the article is read again from it, never fetched again.
"""

from __future__ import annotations

import json as jsonlib

from django.core.management.base import CommandError

from clipdesk.arguments import row_id
from clipdesk.articles.actions import reextract_articles
from clipdesk.articles.models import Article
from clipdesk.command import ClipdeskCommand
from clipdesk.progress import progress_on_stderr


class Command(ClipdeskCommand):
    help = (
        "Extract stored articles again from their snapshots, with today's extractor and site "
        "rules, and re-apply the watchlists. The feed's title and date are kept. Exits with "
        "status 1 when some could not be (each is listed with its reason), 2 when refused."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--language",
            action="append",
            default=[],
            metavar="CODE",
            help="articles in this language (fa, ar, …); may be given more than once",
        )
        parser.add_argument(
            "--id",
            action="append",
            default=[],
            type=row_id,
            dest="ids",
            metavar="N",
            help="this article; may be given more than once",
        )
        parser.add_argument("--all", action="store_true", help="every stored article")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, language: list, ids: list, all: bool, json: bool, **opts) -> None:
        if not (language or ids or all):
            raise CommandError(
                "reextract: say which articles to extract again: --language CODE, --id N, or --all",
                returncode=2,
            )
        stored = set(Article.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing := sorted(set(ids) - stored):
            raise CommandError(
                f"reextract: no stored article {', '.join(map(str, missing))}; "
                "`clipdesk articles` lists them",
                returncode=2,
            )
        articles = Article.objects.select_related("snapshot").order_by("pk")
        if language:
            articles = articles.filter(language__in=[code.strip().lower() for code in language])
        if ids:
            articles = articles.filter(pk__in=ids)
        total = articles.count()
        with progress_on_stderr("extracting again", total) as progress:
            report = reextract_articles(articles.iterator(chunk_size=200), progress)
        if json:
            failed = [{"id": pk, "reason": reason} for pk, reason in report.failed]
            self.stdout.write(jsonlib.dumps({"extracted": report.extracted, "failed": failed}))
        else:
            self.stdout.write(
                f"{report.extracted} of {total} article(s) extracted again"
                + (f"; {len(report.failed)} could not be:" if report.failed else "")
            )
            for _, reason in report.failed:
                self.stdout.write(f"  {reason}")
        if report.failed:
            # After the report: a script sees that something is left to look at (a lost or
            # damaged snapshot), and the articles that could be done have been.
            raise CommandError(
                f"reextract: {len(report.failed)} article(s) could not be extracted again",
                returncode=1,
            )
