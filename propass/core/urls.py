from django.urls import path

from propass.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("legal/<str:kind>/", views.legal_text, name="legal_text"),
    path("i18n/setlang/", views.set_language, name="set_language"),
]
