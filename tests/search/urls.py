"""The site's URLs plus the search app's (see settings.py beside this file).

Other apps are being built beside this one; while clipdesk.urls cannot be imported (an app
it includes is half-written), the search tests still run against the public site's URLs.
"""

from django.urls import include, path

try:
    from clipdesk.urls import urlpatterns as site_urlpatterns
except ImportError:  # pragma: no cover - only while another app is mid-change
    site_urlpatterns = [path("", include("clipdesk.digest.urls"))]

urlpatterns = [path("", include("clipdesk.search.urls")), *site_urlpatterns]

handler404 = "clipdesk.digest.views.page_not_found"
handler500 = "clipdesk.digest.views.server_error"
