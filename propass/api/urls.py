from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from propass.accounts import api as accounts_api
from propass.api import views
from propass.billing import api as billing_api
from propass.billing import webhooks as billing_webhooks
from propass.catalog import api as catalog_api
from propass.memberships import api as memberships_api
from propass.memberships import api_subscriptions
from propass.notifications import api as notifications_api
from propass.onboarding import api as onboarding_api
from propass.points import api as points_api
from propass.products import api as products_api
from propass.service import api as service_api
from propass.support import api as support_api

app_name = "api"

v1 = [
    path("me/", views.MeView.as_view(), name="me"),
    path("business/e-invoicing/", accounts_api.EInvoicingView.as_view(), name="einvoicing"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/tokens/", accounts_api.ApiTokenListView.as_view(), name="tokens"),
    path("auth/tokens/<str:id>/", accounts_api.ApiTokenDetailView.as_view(), name="token_revoke"),
    path("auth/password/set/", accounts_api.PasswordSetView.as_view(), name="password_set"),
    path("auth/password/reset/", accounts_api.PasswordResetView.as_view(), name="password_reset"),
    path("applications/", onboarding_api.ApplicationCreateView.as_view(), name="applications"),
    path("applications/<str:token>/", onboarding_api.ApplicationStatusView.as_view(), name="application_status"),
    path(
        "applications/<str:token>/documents/",
        onboarding_api.ApplicationDocumentView.as_view(),
        name="application_documents",
    ),
    path("catalog/products/", catalog_api.CatalogListView.as_view(), name="catalog"),
    path("registrations/", products_api.RegistrationListView.as_view(), name="registrations"),
    path("registrations/<int:pk>/", products_api.RegistrationDetailView.as_view(), name="registration"),
    path("tiers/", memberships_api.TierListView.as_view(), name="tiers"),
    path("benefits/", memberships_api.BenefitsView.as_view(), name="benefits"),
    path("verify/<str:code>/", memberships_api.CardVerifyView.as_view(), name="verify"),
    path("subscriptions/", api_subscriptions.SubscriptionCreateView.as_view(), name="subscriptions"),
    path("subscriptions/current/", api_subscriptions.SubscriptionCurrentView.as_view(), name="subscription_current"),
    path(
        "subscriptions/current/cancel/", api_subscriptions.SubscriptionCancelView.as_view(), name="subscription_cancel"
    ),
    path(
        "subscriptions/current/resume-renewal/",
        api_subscriptions.SubscriptionResumeRenewalView.as_view(),
        name="subscription_resume_renewal",
    ),
    path(
        "subscriptions/current/change-plan/",
        api_subscriptions.SubscriptionChangePlanView.as_view(),
        name="subscription_change_plan",
    ),
    path("invoices/", billing_api.InvoiceListView.as_view(), name="invoices"),
    path("invoices/<int:pk>/", billing_api.InvoiceDetailView.as_view(), name="invoice"),
    path("invoices/<int:pk>/pdf/", billing_api.InvoicePdfView.as_view(), name="invoice_pdf"),
    path("invoices/<int:pk>/xml/", billing_api.InvoiceXmlView.as_view(), name="invoice_xml"),
    path("webhooks/payments/<slug:provider>/", billing_webhooks.PaymentWebhookView.as_view(), name="payment_webhook"),
    path("migration/", products_api.MigrationView.as_view(), name="migration"),
    path("transfers/", products_api.TransferListView.as_view(), name="transfers"),
    path("transfers/<int:pk>/", products_api.TransferDetailView.as_view(), name="transfer"),
    path("transfers/<int:pk>/accept/", products_api.TransferAcceptView.as_view(), name="transfer_accept"),
    path("transfers/<int:pk>/decline/", products_api.TransferDeclineView.as_view(), name="transfer_decline"),
    path("transfers/<int:pk>/cancel/", products_api.TransferCancelView.as_view(), name="transfer_cancel"),
    path("points/ledger/", points_api.LedgerListView.as_view(), name="ledger"),
    path("notifications/", notifications_api.NotificationListView.as_view(), name="notifications"),
    path("notifications/read-all/", notifications_api.NotificationReadAllView.as_view(), name="notifications_read_all"),
    path("notifications/<int:pk>/read/", notifications_api.NotificationReadView.as_view(), name="notification_read"),
    path("support/tickets/", support_api.TicketListView.as_view(), name="support_tickets"),
    path("support/tickets/<int:pk>/", support_api.TicketDetailView.as_view(), name="support_ticket"),
    path("support/tickets/<int:pk>/messages/", support_api.TicketMessageView.as_view(), name="support_messages"),
    path("support/tickets/<int:pk>/close/", support_api.TicketCloseView.as_view(), name="support_close"),
    path(
        "support/tickets/<int:pk>/attachments/<int:attachment_id>/",
        support_api.TicketAttachmentView.as_view(),
        name="support_attachment",
    ),
    path("service-centres/", service_api.ServiceCentreListView.as_view(), name="service_centres"),
    path("service-requests/", service_api.ServiceRequestListView.as_view(), name="service_requests"),
    path("service-requests/<int:pk>/", service_api.ServiceRequestDetailView.as_view(), name="service_request"),
    path("service-requests/<int:pk>/sent/", service_api.ServiceRequestSentView.as_view(), name="service_request_sent"),
    path(
        "service-requests/<int:pk>/cancel/",
        service_api.ServiceRequestCancelView.as_view(),
        name="service_request_cancel",
    ),
    path(
        "service-requests/<int:pk>/quote/approve/",
        service_api.QuoteApproveView.as_view(),
        name="service_request_quote_approve",
    ),
    path(
        "service-requests/<int:pk>/quote/decline/",
        service_api.QuoteDeclineView.as_view(),
        name="service_request_quote_decline",
    ),
    path("service-requests/<int:pk>/slip/", service_api.ServiceRequestSlipView.as_view(), name="service_request_slip"),
    path(
        "service-requests/<int:pk>/attachments/<int:attachment_id>/",
        service_api.ServiceRequestAttachmentView.as_view(),
        name="service_request_attachment",
    ),
    path("staff/service-requests/", service_api.StaffServiceRequestListView.as_view(), name="staff_service_requests"),
    path(
        "staff/service-requests/<int:pk>/",
        service_api.StaffServiceRequestDetailView.as_view(),
        name="staff_service_request",
    ),
    path(
        "staff/service-requests/<int:pk>/receive/", service_api.StaffReceiveView.as_view(), name="staff_service_receive"
    ),
    path("staff/service-requests/<int:pk>/start/", service_api.StaffStartView.as_view(), name="staff_service_start"),
    path("staff/service-requests/<int:pk>/quote/", service_api.StaffQuoteView.as_view(), name="staff_service_quote"),
    path(
        "staff/service-requests/<int:pk>/complete/",
        service_api.StaffCompleteView.as_view(),
        name="staff_service_complete",
    ),
    path("staff/service-requests/<int:pk>/ship/", service_api.StaffShipView.as_view(), name="staff_service_ship"),
    path("staff/service-requests/<int:pk>/close/", service_api.StaffCloseView.as_view(), name="staff_service_close"),
    path("loans/availability/", service_api.LoanAvailabilityView.as_view(), name="loan_availability"),
    path("loans/", service_api.LoanListView.as_view(), name="loans"),
    path("loans/<int:pk>/", service_api.LoanDetailView.as_view(), name="loan"),
    path("staff/loans/<int:pk>/dispatch/", service_api.StaffLoanDispatchView.as_view(), name="staff_loan_dispatch"),
    path("staff/loans/<int:pk>/return/", service_api.StaffLoanReturnView.as_view(), name="staff_loan_return"),
    path("staff/applications/", onboarding_api.StaffApplicationListView.as_view(), name="staff_applications"),
    path("staff/applications/<int:pk>/approve/", onboarding_api.ApproveView.as_view(), name="staff_approve"),
    path("staff/applications/<int:pk>/reject/", onboarding_api.RejectView.as_view(), name="staff_reject"),
    path(
        "staff/applications/<int:pk>/request-info/", onboarding_api.RequestInfoView.as_view(), name="staff_request_info"
    ),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
