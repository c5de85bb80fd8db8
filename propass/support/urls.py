from django.urls import path

from propass.support import views

app_name = "support"

urlpatterns = [
    path("support/", views.tickets, name="tickets"),
    path("support/new/", views.ticket_new, name="new"),
    path("support/<int:pk>/", views.ticket_detail, name="ticket"),
    path("support/<int:pk>/close/", views.ticket_close_view, name="close"),
    path("support/attachments/<int:pk>/", views.attachment, name="attachment"),
]
