from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from propass.accounts.enums import BusinessRole, TokenPurpose
from propass.core.models import TimeStampedModel


def normalize_email(email: str) -> str:
    """E-mail addresses are logins: compared trimmed and lower-cased everywhere."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        user = self.model(email=normalize_email(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email=normalize_email(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address: a member of one business, or staff."""

    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    email_opt_out = models.JSONField(
        _("e-mails switched off"), default=list, blank=True, help_text=_("Kinds of optional e-mails the user declined.")
    )
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # type: ignore[var-annotated]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    @property
    def audit_repr(self) -> str:
        return self.email if self.is_staff else f"user #{self.pk}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email


class Business(TimeStampedModel):
    """A company in the program: the owner of registrations, points and memberships."""

    name = models.CharField(_("company name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"))
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True, db_index=True)
    # Where the business receives e-invoices on the Peppol network, when it has said so.
    peppol_id = models.CharField(_("Peppol participant ID"), max_length=60, blank=True)
    vies_check = models.ForeignKey(
        "core.ViesCheck", verbose_name=_("VIES check"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("The latest VIES answer about the VAT number."),
    )  # fmt: skip
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    legacy_email = models.EmailField(_("old CPS e-mail"), blank=True)
    # Cached sum of the points ledger, updated in the same transaction as each entry.
    points_balance = models.IntegerField(_("points balance"), default=0)
    invited_at = models.DateTimeField(_("invited to the program"), null=True, blank=True)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name"]
        # The back office lists and searches businesses by name: read in that order, a page
        # stops after its rows instead of sorting 150,000.
        indexes = [models.Index(fields=["name", "id"], name="business_by_name")]

    def __str__(self) -> str:
        return self.name


class BusinessMembership(TimeStampedModel):
    """Ties a user to the one business they act for, with their role in it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="membership"
    )
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=BusinessRole.choices, default=BusinessRole.MEMBER)

    class Meta:
        verbose_name = _("business user")
        verbose_name_plural = _("business users")

    def __str__(self) -> str:
        return f"{self.user} @ {self.business} ({self.role})"

    @property
    def audit_repr(self) -> str:
        return f"user #{self.user_id} @ {self.business} ({self.role})"


class SecureToken(models.Model):
    """A single-use, time-limited link token. Only its SHA-256 hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tokens")
    purpose = models.CharField(max_length=32, choices=TokenPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} for {self.user_id}"
