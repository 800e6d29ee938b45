from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "clipdesk.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # Cheap receivers: they note which rows changed; indexing runs once per transaction,
        # after it commits (see clipdesk.search.indexing).
        from clipdesk.search import indexing

        indexing.connect_signals()
