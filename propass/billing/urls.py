from django.urls import path

from propass.billing import views

app_name = "billing"

urlpatterns = [
    path("subscriptions/invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("subscriptions/invoices/<int:pk>/xml/", views.invoice_xml, name="invoice_xml"),
]
