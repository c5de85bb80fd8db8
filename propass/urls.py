from django.contrib import admin
from django.urls import include, path

from propass.accounts import urls as accounts_urls
from propass.accounts import views as accounts_views
from propass.api.urls import v1 as api_v1
from propass.core import urls as core_urls
from propass.memberships import views as memberships_views
from propass.privacy import views as privacy_views

# A few pages keep their historical names in a lower app's namespace while their views live
# higher up in the layers (README, "The code"): the member home needs memberships, the
# language switch accounts, the data export privacy. A lower app's urls cannot import them.
core_pages = [
    path("", memberships_views.home, name="home"),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    *core_urls.urlpatterns,
]
accounts_pages = [
    *accounts_urls.urlpatterns,
    path("account/export/", privacy_views.data_export, name="data_export"),
]

urlpatterns = [
    path("", include((core_pages, core_urls.app_name))),
    path("", include((accounts_pages, accounts_urls.app_name))),
    path("", include("propass.onboarding.urls")),
    path("", include("propass.products.urls")),
    path("", include("propass.memberships.urls")),
    path("", include("propass.billing.urls")),
    path("", include("propass.notifications.urls")),
    path("", include("propass.support.urls")),
    path("", include("propass.service.urls")),
    path("", include("propass.faq.urls")),
    path("backoffice/admin/", admin.site.urls),
    path("backoffice/", include("propass.backoffice.urls")),
    path("api/", include("propass.api.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
]

# Under /api/ these answer the API's JSON error shape; elsewhere Django's pages.
handler400 = "propass.api.errors.bad_request"
handler403 = "propass.api.errors.permission_denied"
handler404 = "propass.api.errors.not_found"
handler500 = "propass.api.errors.server_error"

admin.site.site_header = "ProPass"
admin.site.site_title = "ProPass"
