from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerReason(models.TextChoices):
    REGISTRATION = "registration", _("Product registered")
    MIGRATION = "migration", _("Product migrated")
    DELETION = "deletion", _("Product deleted")
    REJECTION = "rejection", _("Registration rejected")
    END_OF_SUPPORT = "end_of_support", _("End of support")
    ADJUSTMENT = "adjustment", _("Adjustment by staff")
    TRANSFER_OUT = "transfer_out", _("Product transferred to another business")
    TRANSFER_IN = "transfer_in", _("Product transferred from another business")
    TRANSFER_REVERSAL = "transfer_reversal", _("Product transfer reversed")
