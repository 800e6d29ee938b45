"""The desk's article pages (mounted under /desk/ by clipdesk.urls)."""

from django.urls import path

from clipdesk.articles import views

app_name = "articles"

urlpatterns = [
    path("snapshots/<int:pk>/", views.snapshot_view, name="snapshot"),
]
