from django.apps import AppConfig


class SourcesConfig(AppConfig):
    """Feeds, sitemaps and listing pages, and the state of polling each one."""

    name = "clipdesk.sources"
    verbose_name = "Sources"
