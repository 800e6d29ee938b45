from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    """Articles extracted from fetched pages, and the snapshots that prove them."""

    name = "clipdesk.articles"
    verbose_name = "Articles"
