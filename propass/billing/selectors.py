from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.billing.models import Invoice
from propass.core.errors import Forbidden
from propass.memberships.services import has_billing_rights

_NO_RIGHTS = _("Only the business superuser or an administrator can see the invoices.")


def invoices_for(*, business: Business, user: User) -> QuerySet[Invoice]:
    """A business's invoices, for its users with billing rights only."""
    if not has_billing_rights(user=user, business=business):
        raise Forbidden(_NO_RIGHTS)
    return Invoice.objects.filter(business=business).order_by("-issue_date", "-id")
