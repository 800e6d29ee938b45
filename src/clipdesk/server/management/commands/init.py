from clipdesk.command import ClipdeskCommand
from clipdesk.server.setup import database_label, init_instance


class Command(ClipdeskCommand):
    help = "Create a new instance, or migrate an existing one to this version."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site-name", help="the site's name, shown in its header and feeds")

    def handle(self, *args, site_name: str | None = None, **options) -> None:
        profile = init_instance(site_name)
        self.stdout.write(f"Instance ready: {database_label()}; site name “{profile.name}”.")
