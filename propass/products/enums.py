from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RegistrationStatus(models.TextChoices):
    INCOMPLETE = "incomplete", _("Missing details")
    COMPLETE = "complete", _("Points credited")
    UNDER_REVIEW = "under_review", _("Under review")
    REJECTED = "rejected", _("Rejected")
    END_OF_SUPPORT = "end_of_support", _("End of support")


# A registration with every detail is credited (complete), or waits for staff review when the
# serial is credited to another business; staff keep it (it settles again from incomplete) or
# reject it.
REGISTRATION_TRANSITIONS: dict[str, set[str]] = {
    RegistrationStatus.INCOMPLETE: {RegistrationStatus.COMPLETE, RegistrationStatus.UNDER_REVIEW},
    RegistrationStatus.UNDER_REVIEW: {
        RegistrationStatus.INCOMPLETE,
        RegistrationStatus.COMPLETE,
        RegistrationStatus.REJECTED,
    },
    RegistrationStatus.COMPLETE: {RegistrationStatus.REJECTED, RegistrationStatus.END_OF_SUPPORT},
    RegistrationStatus.REJECTED: set(),
    RegistrationStatus.END_OF_SUPPORT: set(),
}

REQUIRED_FIELDS = ["product", "serial_number", "purchase_date", "country_of_purchase", "dealer"]


class TransferStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", pgettext_lazy("product transfer status", "Cancelled")
    REVERSED = "reversed", _("Reversed by staff")


# The releasing business offers; the receiving business accepts or declines, or the releasing
# business withdraws the offer; staff may reverse an accepted transfer (once).
TRANSFER_TRANSITIONS: dict[str, set[str]] = {
    TransferStatus.OFFERED: {TransferStatus.ACCEPTED, TransferStatus.DECLINED, TransferStatus.CANCELLED},
    TransferStatus.ACCEPTED: {TransferStatus.REVERSED},
    TransferStatus.DECLINED: set(),
    TransferStatus.CANCELLED: set(),
    TransferStatus.REVERSED: set(),
}


# Days before a model's end of support on which the businesses with it credited are told that it
# will stop counting (the nearest window that has not been told yet, also after a missed run).
AT_RISK_DAYS = (90, 30)
