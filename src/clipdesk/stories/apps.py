from django.apps import AppConfig


class StoriesConfig(AppConfig):
    """Articles grouped by the story they report, across outlets."""

    name = "clipdesk.stories"
    verbose_name = "Stories"
