from django.urls import path

from propass.backoffice import applications, legacy, points, views

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("applications/", applications.queue, name="applications"),
    path("applications/<int:pk>/", applications.detail, name="application"),
    path("applications/<int:pk>/resend-link/", applications.resend_link, name="application_resend_link"),
    path("applications/<int:pk>/<str:action>/", applications.act, name="application_act"),
    path("documents/<int:pk>/", applications.document, name="document"),
    path("registrations/conflicts/", points.conflicts, name="conflicts"),
    path("registrations/<int:pk>/resolve/", points.conflict_resolve, name="conflict_resolve"),
    path("businesses/<int:pk>/points/", points.business_points, name="business_points"),
    path("legacy/", legacy.legacy, name="legacy"),
    path("legacy/link/", legacy.legacy_link_view, name="legacy_link"),
    path("legacy/upload/", legacy.legacy_upload, name="legacy_upload"),
    path("legacy/imports/<int:pk>/", legacy.legacy_import_detail, name="legacy_import"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/test/", views.outbox_test, name="outbox_test"),
    path("outbox/<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path("outbox/<int:pk>/html/", views.outbox_html, name="outbox_html"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
]
