from django.db import models
from django.utils.translation import gettext_lazy as _


class BusinessRole(models.TextChoices):
    SUPERUSER = "superuser", _("Business superuser")
    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")


class TokenPurpose(models.TextChoices):
    SET_PASSWORD = "set_password", _("Set password")
    RESET_PASSWORD = "reset_password", _("Reset password")


class AccessRevokeReason(models.TextChoices):
    """Why every token and session of a user was ended (stored in the audit log)."""

    PASSWORD_SET = "password_set"
    DEACTIVATED = "deactivated"
    REMOVED = "removed"
    ERASED = "erased"


class StaffGroup(models.TextChoices):
    """Staff roles are Django groups with these names (`staff_groups_ensure` creates them with
    their model permissions); an auditor reads every back-office page and changes nothing."""

    VALIDATION = "validation", _("Validation agent")
    SUPPORT = "support", _("Support agent")
    FINANCE = "finance", _("Finance")
    PROGRAM_ADMIN = "program_admin", _("Program admin")
    SERVICE = "service", _("Service centre agent")
    AUDITOR = "auditor", _("Read-only auditor")
