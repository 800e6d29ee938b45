"""`clipdesk status`: whether the instance is healthy, in one look (server/health.py)."""

from __future__ import annotations

import datetime
import json as jsonlib
import sys

from django.core.management.base import CommandError
from django.utils import timezone

from clipdesk.command import ClipdeskCommand
from clipdesk.server.health import human_bytes, instance_status, not_set_up

EXIT_HEALTHY, EXIT_ATTENTION, EXIT_NOT_SET_UP = 0, 1, 2
FAILING_SHOWN = 20  # failing sources named one a line; --json lists them all


class Command(ClipdeskCommand):
    help = (
        "Report the instance's health: database, migrations, search, matching, broker and "
        "cache; sources (failing ones named with their error); articles stored and matched; "
        "stories waiting on the desk; snapshots and free disk; accounts. Lines that need "
        "attention begin with '!'. Exit status: 0 healthy; 1 something needs attention "
        "(failing sources, migrations not applied, matching rules changed, the broker or "
        "the page cache not answering, the disk nearly full); 2 no instance set up yet."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--json", action="store_true", help="one JSON object with the same facts"
        )

    def handle(self, *args, json: bool = False, **options) -> None:
        if problem := not_set_up():
            raise CommandError(f"status: {problem}", returncode=EXIT_NOT_SET_UP)
        report = instance_status()
        if json:
            self.stdout.write(_json(report))
        else:
            for line in report_lines(report, timezone.now()):
                self.stdout.write(line)
        self.stdout.flush()
        if not report["healthy"]:
            sys.exit(EXIT_ATTENTION)


def _json(report: dict) -> str:
    return jsonlib.dumps(report, ensure_ascii=False, indent=2)


def report_lines(report: dict, now: datetime.datetime) -> list[str]:
    """The report as text: a heading a section, a line a fact, "!" before what needs
    attention."""

    def when(iso: str | None) -> str:
        if iso is None:
            return "never"
        moment = datetime.datetime.fromisoformat(iso)
        local = timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")
        return f"{local}, {_relative(moment, now)}"

    instance, sources = report["instance"], report["sources"]
    lines = [f"clipdesk {instance['version']}, instance at {instance['home']}", "instance"]
    database = instance["database"]
    if database["engine"] == "sqlite":
        if database["writable"] is not False:
            lines.append(f"  database: SQLite {database['path']}")
        else:
            lines.append(
                f"! database: SQLite {database['path']} cannot be written (read-only): polls "
                "and every change fail until it can"
            )
    else:
        port = f":{database['port']}" if database["port"] else ""
        lines.append(f"  database: PostgreSQL {database['name']} on {database['host']}{port}")
    if pending := instance["pending_migrations"]:
        shown = ", ".join(pending[:5]) + (", …" if len(pending) > 5 else "")
        lines.append(f"! migrations: {len(pending)} not applied ({shown}); run `clipdesk init`")
    else:
        lines.append("  migrations: all applied")
    search = instance["search"]
    waiting = f"{search['waiting']:,}{' or more' if search['waiting_at_least'] else ''}"
    lines.append(f"  search: {search['engine']}, {waiting} document(s) waiting to be indexed")
    if search["missing"]:
        lines.append(
            f"! search: no index of the {' and the '.join(search['missing'])}: run "
            "`clipdesk reindex`"
        )
    if instance["matching_changed"]:
        from clipdesk.watch.store import MATCHING_CHANGED

        lines.append(f"! {MATCHING_CHANGED}")
    else:
        lines.append("  matching: the stored matches follow the current rules")
    if rematch := instance["rematch"]:
        mark = "!" if rematch["needs_attention"] else " "
        if rematch["state"] == "queued":
            how_far = f"asked for at {when(rematch['requested_at'])}"
        else:
            how_far = f"{rematch['done']:,} of {rematch['total']:,} articles gone over"
        lines.append(f"{mark} matching: re-applying the watchlists {rematch['state']}, {how_far}")
    lines.append(_server_line("broker", instance["broker"]))
    lines.append(_server_line("cache", instance["cache"]))

    lines.append("sources")
    lines.append(
        f"  {sources['enabled']} enabled, {sources['disabled']} disabled, "
        f"{sources['never_polled']} never polled"
    )
    for source in sources["failing"][:FAILING_SHOWN]:
        if source["first_failure_known"]:
            since = "the first failure"
        else:  # a run begun before sources kept its start: bounded by what is known
            since = "it was added" if source["never_read"] else "its last good read"
        lines.append(
            f"! source {source['id']} “{source['name']}” failing: {source['error']} "
            f"({source['failures_in_a_row']} time(s) in a row since {since}, "
            f"{when(source['failing_since'])}; last tried {when(source['last_tried'])})"
        )
    if (more := len(sources["failing"]) - FAILING_SHOWN) > 0:
        lines.append(f"! and {more} more source(s) failing (`clipdesk source list`)")
    lines.append(f"  last good read: {when(sources['last_success'])}")
    if sources["next_check"] is not None:
        lines.append(f"  next check: {when(sources['next_check'])}")

    articles = report["articles"]
    lines.append("articles")
    lines.append(
        f"  stored: {articles['last_24h']:,} in the last 24 h, {articles['last_7d']:,} in 7 days"
    )
    lines.append(f"  matched: {articles['matched_7d']:,} in 7 days")
    lines.append(f"  newest: {when(articles['newest'])}")
    lines.append("desk")
    lines.append(f"  {report['desk']['waiting']:,} story(ies) waiting")

    snapshots = report["snapshots"]
    lines.append("snapshots")
    lines.append(
        f"  {human_bytes(snapshots['bytes'])} in {snapshots['files']:,} file(s) at "
        f"{snapshots['path']}"
    )
    mark = "!" if snapshots["disk_nearly_full"] else " "
    lines.append(
        f"{mark} disk: {human_bytes(snapshots['disk_free_bytes'])} free of "
        f"{human_bytes(snapshots['disk_total_bytes'])}"
        + ("; nearly full" if snapshots["disk_nearly_full"] else "")
    )

    accounts = report["accounts"]
    lines.append("accounts")
    lines.append(
        f"  {accounts['admins']} admin(s), {accounts['editors']} editor(s), "
        f"{accounts['readers']} reader(s), {accounts['without_role']} without a role; "
        f"{accounts['disabled']} disabled"
    )
    locked = accounts["locked"]
    if locked is None:
        lines.append("  locked now: unknown (the sign-in counter does not answer)")
    else:
        lines.append(f"  locked now: {', '.join(locked) if locked else 'none'}")

    attention = report["attention"]
    lines.append(
        f"status: {len(attention)} thing(s) need attention (the lines marked !)"
        if attention
        else "status: healthy"
    )
    return lines


def _server_line(what: str, server: dict) -> str:
    if not server["configured"]:
        setting = "CLIPDESK_BROKER_URL" if what == "broker" else "CLIPDESK_CACHE_URL"
        return f"  {what}: not configured ({setting})"
    if server["reachable"]:
        return f"  {what}: {server['address']} answers"
    how = "refuses this instance" if server.get("answers") else "does not answer"
    return f"! {what}: {server['address']} {how} ({server['error']})"


def _relative(moment: datetime.datetime, now: datetime.datetime) -> str:
    seconds = (moment - now).total_seconds()
    span = abs(seconds)
    if span < 60:
        return "now"
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if span >= size:
            amount = f"{int(span // size)} {unit}"
            return f"in {amount}" if seconds > 0 else f"{amount} ago"
    return "now"  # not reached
