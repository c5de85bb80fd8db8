from django.urls import path

from propass.service import views, views_loans

app_name = "service"

urlpatterns = [
    path("subscriptions/benefits/", views.benefits, name="benefits"),
    path("service/", views.requests_list, name="list"),
    path("service/new/", views.request_new, name="new"),
    path("service/<int:pk>/", views.request_detail, name="detail"),
    path("service/<int:pk>/sent/", views.request_sent, name="sent"),
    path("service/<int:pk>/cancel/", views.request_cancel, name="cancel"),
    path("service/<int:pk>/quote/approve/", views.quote_approve, name="quote_approve"),
    path("service/<int:pk>/quote/decline/", views.quote_decline, name="quote_decline"),
    path("service/<int:pk>/slip.pdf", views.slip, name="slip"),
    path("service/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("loans/", views_loans.loans_list, name="loans"),
    path("loans/new/", views_loans.loan_new, name="loan_new"),
    path("loans/<int:pk>/", views_loans.loan_detail, name="loan"),
    path("loans/<int:pk>/cancel/", views_loans.loan_cancel_view, name="loan_cancel"),
]
