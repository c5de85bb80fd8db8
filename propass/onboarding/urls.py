from django.urls import path

from propass.onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/status/<str:token>/", views.status, name="status"),
    path("account/documents/<int:pk>/", views.business_document, name="business_document"),
]
