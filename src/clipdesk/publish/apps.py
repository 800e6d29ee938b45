from django.apps import AppConfig


class PublishConfig(AppConfig):
    """Publishing fast: the public pages' cache and the static export."""

    name = "clipdesk.publish"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from django.core.signals import request_started

        from clipdesk.publish import caching

        caching.connect_receivers()
        request_started.connect(caching.cache_routes, dispatch_uid="publish-cache-routes")
