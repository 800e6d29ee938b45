from django.apps import AppConfig


class ServerConfig(AppConfig):
    """The instance's own commands: init, run, demo."""

    name = "clipdesk.server"
    verbose_name = "Server"
