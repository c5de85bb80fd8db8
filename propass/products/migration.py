"""MIGRATE PRODUCTS: a business brings the products of its old CPS account over, once."""

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, NotFound
from propass.core.services import audit_record
from propass.notifications.services import business_notify, notification_business
from propass.points.enums import LedgerReason
from propass.products.enums import RegistrationStatus
from propass.products.models import LegacyAccount, LegacyRegistration, Registration
from propass.products.services import settle_registration


@dataclass(frozen=True)
class MigrationLine:
    legacy: LegacyRegistration
    missing: list[str]
    elsewhere: bool
    duplicate: bool


@dataclass(frozen=True)
class MigrationPreview:
    available: bool
    migrated_at: object
    lines: list[MigrationLine]

    @property
    def products(self) -> int:
        return len([line for line in self.lines if not line.duplicate])

    @property
    def complete(self) -> int:
        return len([line for line in self.lines if not line.missing and not line.elsewhere and not line.duplicate])

    @property
    def incomplete(self) -> int:
        return len([line for line in self.lines if line.missing and not line.duplicate])

    @property
    def under_review(self) -> int:
        return len([line for line in self.lines if line.elsewhere and not line.missing and not line.duplicate])


def _account(business: Business, *, lock: bool = False) -> LegacyAccount | None:
    if not business.legacy_email:
        return None
    accounts = LegacyAccount.objects.filter(email=business.legacy_email.strip().lower())
    if lock:
        accounts = accounts.select_for_update()
    return accounts.first()


def _missing(legacy: LegacyRegistration) -> list[str]:
    values = {
        "product": legacy.product_id,
        "serial_number": legacy.serial_number,
        "purchase_date": legacy.purchase_date,
        "country_of_purchase": legacy.country_of_purchase,
        "dealer": legacy.dealer,
    }
    return [name for name, value in values.items() if not value]


def migration_available(*, business: Business) -> bool:
    """The MIGRATE PRODUCTS button shows while the old e-mail matches records not yet migrated."""
    account = _account(business)
    return account is not None and account.migrated_at is None


def migration_preview(*, business: Business) -> MigrationPreview:
    """What confirming would bring over: complete, missing details, held by another business."""
    account = _account(business)
    if account is None:
        return MigrationPreview(available=False, migrated_at=None, lines=[])
    legacy = list(account.registrations.select_related("product").order_by("pk"))
    pairs = [(item.product_id, item.serial_number) for item in legacy if item.product_id]
    credited = set(
        Registration.objects.filter(
            status=RegistrationStatus.COMPLETE,
            product_id__in={p for p, _s in pairs},
            serial_number__in={s for _p, s in pairs},
        ).values_list("business_id", "product_id", "serial_number")
    )
    held_elsewhere = {(p, s) for b, p, s in credited if b != business.pk}
    mine = {(p, s) for b, p, s in credited if b == business.pk}
    lines = [
        MigrationLine(
            legacy=item,
            missing=_missing(item),
            elsewhere=(item.product_id, item.serial_number) in held_elsewhere,
            duplicate=(item.product_id, item.serial_number) in mine,
        )
        for item in legacy
    ]
    return MigrationPreview(available=account.migrated_at is None, migrated_at=account.migrated_at, lines=lines)


@dataclass(frozen=True)
class MigrationResult:
    products: int
    complete: int
    incomplete: int
    under_review: int
    points: int


def migration_perform(*, business: Business, actor: User | None) -> MigrationResult:
    """Copy the old account's products into the business in one transaction, once: complete
    ones are credited at once, incomplete ones wait for their details, serials credited to
    another business wait for staff review. A second call says it is already done."""
    with transaction.atomic():
        account = _account(business, lock=True)
        if account is None:
            raise NotFound(_("No products of an old CPS account are waiting for this business."), code="no_legacy")
        if account.migrated_at is not None:
            raise Conflict(_("Your products were already migrated."), code="already_migrated")
        created: list[Registration] = []
        seen: set[tuple[int, str]] = set(
            Registration.objects.filter(business=business, product__isnull=False)
            .exclude(status=RegistrationStatus.REJECTED)
            .values_list("product_id", "serial_number")
        )
        for legacy in account.registrations.select_related("product").order_by("pk"):
            if legacy.product_id and (legacy.product_id, legacy.serial_number) in seen:
                continue  # registered again by the member already, or twice in the old account
            seen.add((legacy.product_id, legacy.serial_number))  # type: ignore[arg-type]
            registration = Registration.objects.create(
                business=business,
                created_by=actor if actor is not None and actor.is_authenticated else None,
                product_id=legacy.product_id,
                serial_number=legacy.serial_number,
                purchase_date=legacy.purchase_date,
                country_of_purchase=legacy.country_of_purchase,
                dealer=legacy.dealer,
                points_value=legacy.product.points_value if legacy.product else 0,
            )
            settle_registration(registration, reason=LedgerReason.MIGRATION)
            created.append(registration)
        account.migrated_to = business
        account.migrated_at = timezone.now()
        account.save(update_fields=["migrated_to", "migrated_at", "updated_at"])
        statuses = [registration.status for registration in created]
        result = MigrationResult(
            products=len(created),
            complete=statuses.count(RegistrationStatus.COMPLETE),
            incomplete=statuses.count(RegistrationStatus.INCOMPLETE),
            under_review=statuses.count(RegistrationStatus.UNDER_REVIEW),
            points=sum(registration.points_credited for registration in created),
        )
        audit_record(actor=actor, action=AuditAction.LEGACY_MIGRATE, target=business, data=result.__dict__)
        notification_business(
            business=business,
            kind="migration_done",
            title=_("%(products)s products of your old CPS account were migrated"),
            body=_(
                "%(complete)s credited with %(points)s points, %(incomplete)s waiting for their details, "
                "%(under_review)s under review."
            ),
            url=reverse("products:list"),
            params=result.__dict__,
        )
    return result


def legacy_link(*, business: Business, email: str, agent: User) -> Business:
    """Staff link an old CPS e-mail to a business afterwards; the button then appears."""
    address = email.strip().lower()
    account = LegacyAccount.objects.filter(email=address).first()
    if account is None:
        raise NotFound(_("No legacy account has this e-mail."), code="no_legacy")
    with transaction.atomic():
        business.legacy_email = address
        business.save(update_fields=["legacy_email", "updated_at"])
        audit_record(actor=agent, action=AuditAction.LEGACY_LINK, target=business, data={"email": address})
        if account.migrated_at is None:
            # The member would otherwise only find the button by chance.
            business_notify(
                business=business,
                kind="migration_available",
                title=_("Your old CPS products can be migrated"),
                body=_(
                    "CPS Priority Support linked your old CPS account (%(email)s) to your business. "
                    "Open My products and choose MIGRATE PRODUCTS to bring its products and points over."
                ),
                url=reverse("products:list"),
                params={"email": address},
            )
    return business
