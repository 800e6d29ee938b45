from django.http import HttpRequest

from clipdesk.digest.models import SiteProfile


def site_profile(request: HttpRequest) -> dict:
    """The site's name and tagline for every page's header."""
    return {"site": SiteProfile.load()}
