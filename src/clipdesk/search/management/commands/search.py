"""`clipdesk search QUERY [--type post|article] [--limit N] [--json]`: search from a shell."""

from __future__ import annotations

import json

from django.core.management.base import CommandParser

from clipdesk.arguments import whole_number
from clipdesk.command import ClipdeskCommand
from clipdesk.search.backends import KINDS
from clipdesk.search.service import MAX_PER_PAGE, search


class Command(ClipdeskCommand):
    help = "Search posts (or articles) like the site does; --json for scripts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="+", help='words, "phrases", -word, outlet:…')
        parser.add_argument("--type", choices=KINDS, default="post")
        parser.add_argument(
            "--limit", type=whole_number(1, MAX_PER_PAGE), default=20, help=f"1 to {MAX_PER_PAGE}"
        )
        parser.add_argument("--sort", choices=("relevance", "date"), default="relevance")
        parser.add_argument("--json", action="store_true", help="one JSON object on stdout")

    def handle(self, *args, query: list[str], **options) -> None:
        found = search(
            " ".join(query),
            type=options["type"],
            per_page=options["limit"],
            sort=options["sort"],
        )
        if options["json"]:
            payload = {
                key: found.as_json()[key]
                for key in ("query", "expanded_aliases", "total", "total_is_estimate", "results")
            }
            if found.message:
                payload["message"] = found.message
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        if found.message:
            self.stderr.write(found.message)
        if found.expanded_aliases:
            self.stdout.write("also searched: " + ", ".join(found.expanded_aliases))
        about = "about " if found.total_is_estimate else ""
        self.stdout.write(f"{about}{found.total} {options['type']}(s)")
        for result in found.results:
            self.stdout.write(f"{result.date}  {result.title}  {result.url}")
