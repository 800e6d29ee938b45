import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from clipdesk.archive.importing import gazetteer_for, import_page
from clipdesk.archive.reading import expand_paths, read_page
from clipdesk.digest.outlets import OutletDirectory
from clipdesk.server.serving import serve
from clipdesk.server.setup import init_instance

DEMO_CONTENT = Path(__file__).resolve().parents[3] / "demo" / "content"


class Command(BaseCommand):
    help = (
        "Start a demo: a fresh instance (in a temporary home unless --home is given) with "
        "sample content of a fictional organisation, an admin account, and the server."
    )
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="set the instance up, then stop"
        )

    def handle(self, *args, host: str, port: int, no_serve: bool, **options) -> None:
        init_instance()
        outlets = OutletDirectory()
        gazetteer = gazetteer_for(outlets)
        added = 0
        for path in expand_paths([str(DEMO_CONTENT)]):
            added += import_page(read_page(path, gazetteer), outlets).added
        password = self._admin_password()
        address = f"http://{host}:{port}/"
        lines = [
            f"Demo instance in {settings.CLIPDESK_HOME} with {added} sample post(s).",
            f"Admin: {address}admin/  user “admin”, password “{password}”",
        ]
        if no_serve:
            self.stdout.write("\n".join(lines))
            return

        def ready() -> None:
            self.stdout.write("\n".join([*lines, f"Demo running at {address}  (Ctrl-C stops)"]))
            self.stdout.flush()

        serve(host, port, on_ready=ready)

    def _admin_password(self) -> str:
        """A fresh random password for the demo's admin account, made or reset here."""
        password = secrets.token_urlsafe(12)
        user_model = get_user_model()
        user = user_model.objects.filter(username="admin").first()
        if user is None:
            user_model.objects.create_superuser("admin", "admin@example.invalid", password)
        else:
            user.set_password(password)
            user.save()
        return password
