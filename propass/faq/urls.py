from django.urls import path

from propass.faq import views

app_name = "faq"

urlpatterns = [
    path("faq/", views.index, name="index"),
]
