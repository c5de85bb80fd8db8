from django.contrib import admin
from django.urls import include, path

from propass.api.urls import v1 as api_v1

urlpatterns = [
    path("", include("propass.core.urls")),
    path("", include("propass.accounts.urls")),
    path("", include("propass.onboarding.urls")),
    path("", include("propass.products.urls")),
    path("", include("propass.memberships.urls")),
    path("", include("propass.billing.urls")),
    path("", include("propass.notifications.urls")),
    path("", include("propass.support.urls")),
    path("", include("propass.faq.urls")),
    path("backoffice/admin/", admin.site.urls),
    path("backoffice/", include("propass.backoffice.urls")),
    path("api/", include("propass.api.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
]

admin.site.site_header = "ProPass"
admin.site.site_title = "ProPass"
