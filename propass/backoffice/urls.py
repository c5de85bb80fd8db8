from django.urls import path

from propass.backoffice import applications, bank, faq, finance, legacy, points, support, views

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
    path("finance/invoices/", finance.invoices, name="invoices"),
    path("finance/invoices/<int:pk>/", finance.invoice, name="invoice"),
    path("finance/invoices/<int:pk>/pdf/", finance.invoice_pdf, name="invoice_pdf"),
    path("finance/payments/", finance.payments, name="payments"),
    path("bank/", bank.bank, name="bank"),
    path("bank/statements/<int:pk>/", bank.bank_statement, name="bank_statement"),
    path("bank/lines/<int:pk>/confirm/", bank.bank_line_confirm_view, name="bank_line_confirm"),
    path("bank/lines/<int:pk>/ignore/", bank.bank_line_ignore_view, name="bank_line_ignore"),
    path("support/", support.queue, name="support"),
    path("support/<int:pk>/", support.ticket, name="support_ticket"),
    path("support/<int:pk>/assign/", support.ticket_assign_view, name="support_assign"),
    path("support/<int:pk>/close/", support.ticket_close_view, name="support_close"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/test/", views.outbox_test, name="outbox_test"),
    path("outbox/<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path("outbox/<int:pk>/html/", views.outbox_html, name="outbox_html"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
    path("faq/", faq.faq, name="faq"),
    path("faq/new/", faq.faq_entry_new, name="faq_entry_new"),
    path("faq/<int:pk>/", faq.faq_entry_edit, name="faq_entry"),
    path("faq/categories/new/", faq.faq_category_new, name="faq_category_new"),
    path("faq/categories/<int:pk>/", faq.faq_category_edit, name="faq_category"),
]
