from django.urls import path, register_converter

from clipdesk.digest import converters, feeds, views

register_converter(converters.YearConverter, "yyyy")
register_converter(converters.MonthConverter, "mm")

app_name = "digest"

urlpatterns = [
    path("", views.front_page, name="front_page"),
    path("post/<slug:slug>/", views.post_detail, name="post"),
    path("archive/", views.archive_index, name="archive_index"),
    path("archive/<yyyy:year>/", views.year_archive, name="archive_year"),
    path("archive/<yyyy:year>/<mm:month>/", views.month_archive, name="archive_month"),
    path("tag/<slug:slug>/", views.tag_posts, name="tag"),
    path("outlet/<slug:slug>/", views.outlet_posts, name="outlet"),
    path("about/", views.about, name="about"),
    path("feed/", feeds.LatestPostsFeed(), name="feed_rss"),
    path("feed/atom/", feeds.LatestPostsAtomFeed(), name="feed_atom"),
]
