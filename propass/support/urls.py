from django.urls import path

from propass.support import views

app_name = "support"

urlpatterns = [
    path("support/", views.tickets, name="tickets"),
    path("support/new/", views.ticket_new, name="new"),
]
