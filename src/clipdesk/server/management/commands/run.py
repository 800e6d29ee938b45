import sys

from django.conf import settings
from django.http.request import validate_host

from clipdesk.arguments import whole_number
from clipdesk.command import ClipdeskCommand
from clipdesk.digest.models import SiteProfile
from clipdesk.server import ports
from clipdesk.server.guards import require_free_port, require_migrated, warn_if_cache_down
from clipdesk.server.ports import listen_host, port_number
from clipdesk.server.serving import serve
from clipdesk.server.setup import database_label

# Polls due sources in its own process, on the schedule each source's state sets.
POLLER = [sys.executable, "-m", "clipdesk", "poll", "--quiet"]


def forwarded_proto_warning(host: str) -> str | None:
    """Under CLIPDESK_PRODUCTION a request whose X-Forwarded-Proto says "https" is taken for
    HTTPS. With no proxy named (CLIPDESK_TRUSTED_PROXIES) the header is believed from anyone
    who reaches the port; on a loopback address that is only this machine (the proxy), on
    any other a client could send it itself, and that is said at start."""
    if not getattr(settings, "SECURE_PROXY_SSL_HEADER", None) or settings.CLIPDESK_TRUSTED_PROXIES:
        return None
    if ports.is_loopback(host):
        return None
    return (
        f"run: warning: listening on {host} under CLIPDESK_PRODUCTION with no "
        "CLIPDESK_TRUSTED_PROXIES: a client that reaches this port directly can say it came "
        "over HTTPS (X-Forwarded-Proto); name the reverse proxy in CLIPDESK_TRUSTED_PROXIES, "
        "or listen on 127.0.0.1 behind it"
    )


class Command(ClipdeskCommand):
    help = "Serve the instance with a production server (gunicorn, DEBUG off)."
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", type=listen_host, default="127.0.0.1")
        parser.add_argument("--port", type=port_number, default=8000)
        parser.add_argument("--workers", type=whole_number(1), default=2)
        parser.add_argument(
            "--no-poll", action="store_true", help="serve only; do not poll sources meanwhile"
        )

    def handle(self, *args, host: str, port: int, workers: int, no_poll: bool, **opts) -> None:
        require_migrated("run")
        require_free_port("run", host, port)
        warn_if_cache_down("run", self.stderr.write)
        if warning := forwarded_proto_warning(host):
            self.stderr.write(warning)
        name = SiteProfile.load().name
        address = f"http://{ports.address(host, port)}/"
        note = ""
        if not validate_host(ports.url_host(host), settings.ALLOWED_HOSTS):
            # The address it listens on answers 400 to a browser that asks for it by name.
            names = ", ".join(settings.ALLOWED_HOSTS)
            note = f"; it answers to {names} only (CLIPDESK_ALLOWED_HOSTS)"

        def ready() -> None:
            self.stdout.write(f"Serving “{name}” at {address} ({database_label()}){note}")
            self.stdout.flush()

        # With a broker too (docs/celery.md): the claims keep it from polling a source a
        # worker polls. It used to leave polling to the workers without a word, and on SQLite,
        # where no worker runs, nothing polled at all. `--no-poll` serves only.
        serve(host, port, workers=workers, on_ready=ready, background=None if no_poll else POLLER)
