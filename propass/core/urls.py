from django.urls import path

from propass.core import views

app_name = "core"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("legal/<str:kind>/", views.legal_text, name="legal_text"),
]
