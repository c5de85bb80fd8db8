from django.urls import path

from propass.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notifications, name="list"),
    path("notifications/latest/", views.latest, name="latest"),
    path("notifications/read-all/", views.mark_all_read, name="read_all"),
    path("notifications/<int:pk>/read/", views.mark_read, name="read"),
]
