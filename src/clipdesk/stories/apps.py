from django.apps import AppConfig
from django.db.models.signals import pre_delete


class StoriesConfig(AppConfig):
    """Articles grouped by the story they report, across outlets."""

    name = "clipdesk.stories"
    verbose_name = "Stories"

    def ready(self) -> None:
        from clipdesk.stories.actions import post_deleted

        pre_delete.connect(post_deleted, sender="digest.Post", dispatch_uid="stories-post-gone")
