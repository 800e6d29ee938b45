"""Mounted at the site root by clipdesk.urls: /search/ and /api/search."""

from django.urls import path

from clipdesk.search import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="page"),
    path("api/search", views.search_api, name="api"),
]
