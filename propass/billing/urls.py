from django.urls import path

from propass.billing import views

app_name = "billing"

urlpatterns = [path("subscriptions/invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf")]
