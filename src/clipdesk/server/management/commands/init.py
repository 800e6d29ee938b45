from clipdesk.command import ClipdeskCommand
from clipdesk.server.setup import database_label, init_instance
from clipdesk.watch.store import MATCHING_CHANGED, matching_has_changed


class Command(ClipdeskCommand):
    help = "Create a new instance, or migrate an existing one to this version."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site-name", help="the site's name, shown in its header and feeds")

    def handle(self, *args, site_name: str | None = None, **options) -> None:
        profile = init_instance(site_name)
        self.stdout.write(f"Instance ready: {database_label()}; site name “{profile.name}”.")
        if matching_has_changed():
            # An upgrade may bring new matching rules; the stored matches keep the old ones.
            self.stderr.write(f"watch: {MATCHING_CHANGED}")
