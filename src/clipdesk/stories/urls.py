from django.urls import path

from clipdesk.stories import views

urlpatterns = [
    path("", views.queue, name="desk"),
    path("story/<int:pk>/publish/", views.publish, name="desk_publish"),
    path("story/<int:pk>/dismiss/", views.dismiss, name="desk_dismiss"),
    path("story/<int:pk>/add-to-post/", views.add_to_post, name="desk_add_to_post"),
    path("story/<int:pk>/snooze/", views.snooze, name="desk_snooze"),
    path("story/<int:pk>/merge/", views.merge, name="desk_merge"),
    path("story/<int:pk>/split/<int:article_id>/", views.split, name="desk_split"),
]
