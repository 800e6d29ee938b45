import json
import os

from django.core.management.base import CommandError

from clipdesk.arguments import usage_name, whole_number
from clipdesk.command import ClipdeskCommand
from clipdesk.publish.export import DEFAULT_BASE_URL, export_site
from clipdesk.publish.rendering import ExportError

# Rendering processes at most: past the cores, more only wait for one another.
MAX_JOBS = 64


class Command(ClipdeskCommand):
    help = (
        "Write a static copy of the public site to DIR (a symlink to the finished build, "
        "swapped atomically). Serve DIR with any static server at --base-url."
    )
    # Django's system checks (settings, models, the admin) take 0.1 s, a twentieth of a full
    # export of 10,000 posts; `clipdesk init` runs them when it sets up or migrates the instance.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs):
        return super().create_parser(prog_name, usage_name(prog_name, subcommand), **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument("target", metavar="DIR", help="where the static copy is served from")
        parser.add_argument(
            "--base-url",
            help="the address DIR is served at, for links and for absolute URLs in feeds and "
            f"the sitemap (default: the previous export's, else {DEFAULT_BASE_URL})",
        )
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="render only what changed since the last export (falls back to a full one)",
        )
        parser.add_argument(
            "--jobs",
            # Each job is a process with a whole Django in it: "--jobs 1000" started a thousand.
            type=whole_number(1, MAX_JOBS),
            default=min(os.cpu_count() or 1, MAX_JOBS),
            help="processes rendering a full export (default: one per core)",
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, target: str, base_url, incremental, jobs, json: bool, **opts) -> None:
        try:
            report = export_site(target, base_url=base_url, incremental=incremental, jobs=jobs)
        except ExportError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if json:
            self.stdout.write(_dumps(report.as_dict()))
            return
        self.stdout.write(
            f"{report.mode} export ({report.reason}): {report.rendered} page(s) rendered, "
            f"{report.changed} file(s) written, {report.removed} removed, live at {target} "
            f"after {report.seconds:.2f} s; base URL {report.base_url}"
        )


def _dumps(data: dict) -> str:
    return json.dumps(data, indent=2)
