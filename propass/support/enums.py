from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketCategory(models.TextChoices):
    MIGRATION = "migration", _("Product migration from the old CPS")
    PRODUCTS = "products", _("Products and points")
    MEMBERSHIP = "membership", _("Membership and billing")
    OTHER = "other", _("Something else")


class TicketStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("support ticket status", "Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
