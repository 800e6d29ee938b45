from django.apps import AppConfig


class WatchConfig(AppConfig):
    """Watchlists: the entities an organisation follows, under all their names."""

    name = "clipdesk.watch"
    verbose_name = "Watch"
