from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    INFO_REQUESTED = "information_requested", _("Information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = [ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.INFO_REQUESTED]

APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    ApplicationStatus.SUBMITTED: {
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.INFO_REQUESTED,
        ApplicationStatus.APPROVED,
        ApplicationStatus.REJECTED,
    },
    ApplicationStatus.IN_REVIEW: {
        ApplicationStatus.INFO_REQUESTED,
        ApplicationStatus.APPROVED,
        ApplicationStatus.REJECTED,
    },
    # The applicant's answer puts the application back in the queue with a new SLA.
    ApplicationStatus.INFO_REQUESTED: {ApplicationStatus.SUBMITTED, ApplicationStatus.REJECTED},
    ApplicationStatus.APPROVED: set(),
    ApplicationStatus.REJECTED: set(),
}


class DocumentType(models.TextChoices):
    VAT_CERTIFICATE = "vat_certificate", _("VAT certificate")
    COMMERCIAL_INVOICE = "commercial_invoice", _("Commercial invoice showing the VAT number and company name")
    BUSINESS_INVOICE = "business_invoice", _("Business invoice (not older than 3 months)")
    BUSINESS_LICENCE = "business_licence", _("Business or professional licence")
    CHAMBER_OF_COMMERCE = "chamber_of_commerce", _("Chamber of commerce registration certificate")


VAT_DOCUMENTS = [DocumentType.VAT_CERTIFICATE, DocumentType.COMMERCIAL_INVOICE]
NON_VAT_DOCUMENTS = [DocumentType.BUSINESS_INVOICE, DocumentType.BUSINESS_LICENCE, DocumentType.CHAMBER_OF_COMMERCE]
