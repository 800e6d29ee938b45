from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Who may do what (roles), who did what (the audit trail), and signing in safely."""

    name = "clipdesk.people"
    verbose_name = "People"

    def ready(self) -> None:
        from clipdesk.people import roles  # noqa: F401 - registers the post-migrate hook
