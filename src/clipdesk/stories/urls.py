from django.urls import path

from clipdesk.stories import views

urlpatterns = [
    path("", views.queue, name="desk"),
    path("story/<id:pk>/publish/", views.publish, name="desk_publish"),
    path("story/<id:pk>/dismiss/", views.dismiss, name="desk_dismiss"),
    path("story/<id:pk>/add-to-post/", views.add_to_post, name="desk_add_to_post"),
    path("story/<id:pk>/snooze/", views.snooze, name="desk_snooze"),
    path("story/<id:pk>/merge/", views.merge, name="desk_merge"),
    path("story/<id:pk>/split/<id:article_id>/", views.split, name="desk_split"),
]
