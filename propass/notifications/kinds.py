"""Which notifications a user may choose not to receive by e-mail. Everything about money,
the account and the membership is always e-mailed; these are informational."""

from django.utils.translation import gettext_lazy as _

from propass.notifications.recipients import Recipient

OPTIONAL_EMAILS = {
    "registration_under_review": _("A product is held for review"),
    "registration_confirmed": _("A product under review is confirmed"),
    "registration_rejected": _("A product registration is rejected"),
    "end_of_support": _("A product reaches its end of support"),
    "transfer_offered": _("Another business transfers a product to yours"),
    "transfer_declined": _("A product transfer you offered is declined"),
    "transfer_cancelled": _("A product transfer offered to you is withdrawn"),
    "transfer_suggested": _("Staff ask whether you sold a product"),
    "ticket_reply": _("CPS Priority Support answers a request"),
    "renewal_reminder": _("Reminders before a membership that does not renew expires"),
}


def email_wanted(*, user: Recipient, kind: str) -> bool:
    """Essential e-mails always go out; optional ones unless the user switched them off."""
    return kind not in OPTIONAL_EMAILS or kind not in (user.email_opt_out or [])
