from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, register_converter

from clipdesk.articles.views import snapshot_view
from clipdesk.digest.converters import RowIdConverter
from clipdesk.digest.sitemaps import SITEMAPS
from clipdesk.digest.sitemaps import TEMPLATE as SITEMAP_TEMPLATE
from clipdesk.digest.views import favicon, robots_txt
from clipdesk.people.views import ThrottledAdminLoginView, ThrottledLoginView

register_converter(RowIdConverter, "id")
admin.autodiscover()  # settings use SimpleAdminConfig: the registrations are read here

admin.site.site_header = "clipdesk"
admin.site.site_title = "clipdesk admin"

urlpatterns = [
    # The admin signs in through the same throttled view as the desk.
    path("admin/login/", ThrottledAdminLoginView.as_view(), name="admin_login"),
    path("admin/", admin.site.urls),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path(
        "sitemap.xml",
        sitemap_index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap,
        {"sitemaps": SITEMAPS, "template_name": SITEMAP_TEMPLATE},
        name="sitemap_section",
    ),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    path("desk/snapshots/<id:pk>/", snapshot_view, name="snapshot"),
    path("desk/", include("clipdesk.stories.urls")),
    path("", include("clipdesk.search.urls")),
    path("", include("clipdesk.digest.urls")),
]

handler404 = "clipdesk.digest.views.page_not_found"
handler500 = "clipdesk.digest.views.server_error"
