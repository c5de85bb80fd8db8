import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, Value, When, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from propass.accounts.models import Business, BusinessMembership, User
from propass.catalog.models import ProductModel
from propass.catalog.serials import serial_format
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, InvalidInput, NotFound
from propass.core.services import audit_record
from propass.core.statuses import status_move, statuses_move
from propass.notifications.services import business_notify, notification_business, notifications_businesses
from propass.points.enums import LedgerReason
from propass.points.services import LedgerLine, points_post, points_post_many
from propass.products.enums import AT_RISK_DAYS, RegistrationStatus, TransferStatus
from propass.products.models import EndOfSupportNotice, ProductTransfer, Registration
from propass.products.selectors import registrations_nearing_end_of_support

DUPLICATE = _("This product with this serial number is already registered to your business.")


@dataclass
class RegistrationInput:
    product_id: int | None = None
    serial_number: str = ""
    purchase_date: date | None = None
    country_of_purchase: str = ""
    dealer: str = ""


def serial_normalise(raw: str) -> str:
    """Serial numbers are compared trimmed and upper-cased."""
    return (raw or "").strip().upper()


def _serial_refusal(product: ProductModel) -> str:
    """Why a serial number is refused, with what the model's serial numbers look like."""
    described = serial_format(product.serial_pattern)
    if described is None:
        return str(_("This is not a serial number of this model; please check it on the product."))
    words, example = described
    return str(
        _(
            "This is not a serial number of this model: it has %(format)s, for example %(example)s. "
            "Please check it on the product."
        )
    ) % {"format": words, "example": example}


def _clean(data: RegistrationInput) -> tuple[ProductModel | None, dict[str, Any]]:
    errors: dict[str, list[str]] = {}
    product = None
    if data.product_id:
        product = ProductModel.objects.filter(pk=data.product_id).first()
        if product is None:
            errors["product"] = [str(_("Choose a model from the catalog."))]
    serial = serial_normalise(data.serial_number)
    if product is not None and serial and not product.serial_matches(serial):
        errors["serial_number"] = [_serial_refusal(product)]
    if data.purchase_date is not None:
        if data.purchase_date > timezone.localdate():
            errors["purchase_date"] = [str(_("The purchase date cannot be in the future."))]
        elif product is not None and product.launch_date and data.purchase_date < product.launch_date:
            errors["purchase_date"] = [
                str(_("This model was launched on %(date)s; the purchase date cannot be earlier."))
                % {"date": product.launch_date.isoformat()}
            ]
    country = (data.country_of_purchase or "").strip().upper()
    if country and country not in dict(countries):
        errors["country_of_purchase"] = [str(_("Choose a country."))]
    if errors:
        raise InvalidInput(fields=errors)
    return product, {
        "product": product,
        "serial_number": serial,
        "purchase_date": data.purchase_date,
        "country_of_purchase": country,
        "dealer": (data.dealer or "").strip()[:200],
    }


def _refuse_duplicate(business: Business, product: ProductModel | None, serial: str, exclude: int | None) -> None:
    if product is None or not serial:
        return
    existing = Registration.objects.filter(business=business, product=product, serial_number=serial).exclude(
        status=RegistrationStatus.REJECTED
    )
    if exclude:
        existing = existing.exclude(pk=exclude)
    if existing.exists():
        raise InvalidInput(DUPLICATE, code="duplicate", fields={"serial_number": [str(DUPLICATE)]})


def _reference(registration: Registration) -> str:
    return f"registration:{registration.pk} {registration.product or ''} {registration.serial_number}".strip()


def settle_registration(registration: Registration, *, reason: LedgerReason = LedgerReason.REGISTRATION) -> None:
    """A registration with all five details is credited, unless the same model and serial
    is credited to another business: then it waits for staff review and earns nothing."""
    if registration.status != RegistrationStatus.INCOMPLETE or registration.missing:
        return
    held_elsewhere = (
        Registration.objects.filter(
            product_id=registration.product_id,
            serial_number=registration.serial_number,
            status=RegistrationStatus.COMPLETE,
        )
        .exclude(business_id=registration.business_id)
        .exists()
    )
    if held_elsewhere:
        status_move(registration, RegistrationStatus.UNDER_REVIEW)
        _announce_review(registration, reason)
        return
    try:
        with transaction.atomic():
            moved = status_move(registration, RegistrationStatus.COMPLETE, points_credited=registration.points_value)
    except IntegrityError:
        # Another business's registration of the same serial was credited a moment ago.
        status_move(registration, RegistrationStatus.UNDER_REVIEW)
        _announce_review(registration, reason)
        return
    if moved and registration.points_value:
        points_post(
            business_id=registration.business_id,
            amount=registration.points_value,
            reason=reason,
            reference=_reference(registration),
            registration_id=registration.pk,
            actor=registration.created_by,
        )


def _product_name(registration: Registration) -> str:
    return registration.product.name if registration.product else ""


def _announce_review(registration: Registration, reason: LedgerReason) -> None:
    """A serial credited to another business: the member learns that staff will look at it."""
    if reason != LedgerReason.REGISTRATION:
        return
    business_notify(
        business=registration.business,
        kind="registration_under_review",
        title=_("%(product)s %(serial)s is under review"),
        body=_(
            "This serial number is already registered by another business. CPS Priority Support checks it and "
            "credits the points to the rightful owner; you will be told the outcome."
        ),
        url=reverse("products:detail", args=[registration.pk]),
        params={"product": _product_name(registration), "serial": registration.serial_number},
    )


def registration_create(*, business: Business, actor: User | None, data: RegistrationInput) -> Registration:
    """Register a product. Missing details are allowed (it earns nothing until complete);
    the points value is fixed now, from the catalog as it is today."""
    product, cleaned = _clean(data)
    _refuse_duplicate(business, product, cleaned["serial_number"], exclude=None)
    try:
        with transaction.atomic():
            registration = Registration(
                business=business,
                created_by=actor if actor is not None and actor.is_authenticated else None,
                points_value=product.points_value if product else 0,
                **cleaned,
            )
            with transaction.atomic():
                registration.save()
            settle_registration(registration)
    except IntegrityError:
        raise InvalidInput(DUPLICATE, code="duplicate", fields={"serial_number": [str(DUPLICATE)]}) from None
    return registration


def registration_get(*, business: Business, registration_id: int) -> Registration:
    """A registration of the caller's business; another business's is not found."""
    registration = Registration.objects.select_related("product").filter(pk=registration_id, business=business).first()
    if registration is None:
        raise NotFound()
    return registration


def _locked(business: Business, registration_id: int) -> Registration:
    """The registration of the caller's business, read with its row locked until the
    transaction ends: what the caller changes and saves is the row as it is now."""
    registration = Registration.objects.select_for_update().filter(pk=registration_id, business=business).first()
    if registration is None:
        raise NotFound()
    return registration


def registration_update(
    *, business: Business, actor: User | None, registration_id: int, data: RegistrationInput
) -> Registration:
    """Complete or correct a registration. Model and serial of a credited (or reviewed)
    registration are fixed, and its required details cannot be removed."""
    product, cleaned = _clean(data)
    with transaction.atomic():
        registration = _locked(business, registration_id)
        if registration.status != RegistrationStatus.INCOMPLETE:
            if product != registration.product or cleaned["serial_number"] != registration.serial_number:
                raise Conflict(
                    _("The model and serial number of this registration can no longer change."), code="locked"
                )
            if any(not cleaned[name] for name in ("purchase_date", "country_of_purchase", "dealer")):
                raise InvalidInput(fields={"__all__": [str(_("Details of a credited product cannot be removed."))]})
        _refuse_duplicate(business, product, cleaned["serial_number"], exclude=registration.pk)
        if product != registration.product:
            registration.points_value = product.points_value if product else 0
        for name, value in cleaned.items():
            setattr(registration, name, value)
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError:
            raise InvalidInput(DUPLICATE, code="duplicate", fields={"serial_number": [str(DUPLICATE)]}) from None
        settle_registration(registration)
    return registration


def registration_delete(*, business: Business, actor: User | None, registration_id: int) -> None:
    """Delete a registration; the points it earned are debited in the same transaction, and an
    offer to transfer it is withdrawn."""
    with transaction.atomic():
        registration = _locked(business, registration_id)
        for offer in ProductTransfer.objects.select_for_update().filter(
            registration=registration, status=TransferStatus.OFFERED
        ):
            status_move(
                offer, TransferStatus.CANCELLED, actor=actor, action=AuditAction.TRANSFER_CANCEL,
                data={"deleted": True}, decided_at=timezone.now(),
            )  # fmt: skip
        if registration.points_credited:
            points_post(
                business_id=business.pk,
                amount=-registration.points_credited,
                reason=LedgerReason.DELETION,
                reference=_reference(registration),
                actor=actor,
            )
        registration.delete()


def registration_review_resolve(*, registration_id: int, keep: bool, agent: User, note: str) -> Registration:
    """Staff settle a serial claimed by two businesses: keep this registration (the other
    is rejected and loses its points) or reject this one. Both businesses are told."""
    if not note.strip():
        raise InvalidInput(fields={"note": [str(_("Write a note for the businesses."))]})
    with transaction.atomic():
        claim = Registration.objects.filter(pk=registration_id).values_list("product_id", "serial_number").first()
        if claim is None:
            raise NotFound()
        # Lock every registration of this serial, in a fixed order, before reading any of them:
        # agents deciding on the same conflict at once neither deadlock nor act on a holder
        # that another decision has just rejected.
        this = Q(pk=registration_id)
        serial = Q(product_id=claim[0], serial_number=claim[1]) if claim[0] else this
        list(Registration.objects.select_for_update().filter(serial | this).order_by("pk"))
        registration = Registration.objects.select_related("product", "business").filter(pk=registration_id).first()
        if registration is None:
            raise NotFound()
        other = (
            Registration.objects.select_related("business")
            .filter(serial, status=RegistrationStatus.COMPLETE)
            .exclude(pk=registration.pk)
            .first()
        )
        if registration.status != RegistrationStatus.UNDER_REVIEW:
            raise Conflict(_("This registration is no longer under review."), code="already_resolved")
        if keep:
            if other is not None:
                _reject(other, agent, note)
            status_move(registration, RegistrationStatus.INCOMPLETE, review_note=note)  # settle from a clean state
            settle_registration(registration)
            winner_message = _("Your registration of %(product)s %(serial)s was confirmed: its points are credited.")
            notification_business(
                business=registration.business,
                kind="registration_confirmed",
                title=winner_message,
                body=note,
                url=reverse("products:detail", args=[registration.pk]),
                params={"product": str(registration.product), "serial": registration.serial_number},
            )
        else:
            _reject(registration, agent, note)
        audit_record(
            actor=agent, action=AuditAction.REGISTRATION_REVIEW, target=registration, data={"keep": keep, "note": note}
        )
    registration.refresh_from_db()
    return registration


def _reject(registration: Registration, agent: User, note: str) -> None:
    credited = registration.points_credited
    status_move(registration, RegistrationStatus.REJECTED, points_credited=0, review_note=note)
    if credited:
        points_post(
            business_id=registration.business_id,
            amount=-credited,
            reason=LedgerReason.REJECTION,
            reference=_reference(registration),
            registration_id=registration.pk,
            actor=agent,
            note=note,
        )
    notification_business(
        business=registration.business,
        kind="registration_rejected",
        title=_("Your registration of %(product)s %(serial)s was rejected"),
        body=note,
        url=reverse("products:detail", args=[registration.pk]),
        params={"product": str(registration.product), "serial": registration.serial_number},
    )


END_OF_SUPPORT_CHUNK = 1_000


def registration_end_of_support(*, at: datetime) -> int:
    """Products past their model's end of support lose their points, once. Set-wise, a chunk
    of registrations at a time: locked (rows another run holds are left to it), moved in one
    UPDATE, their debits written and balances moved by `points_post_many`, one bell per product
    in one INSERT. Returns how many registrations this call moved."""
    today = timezone.localtime(at).date()
    active = BusinessMembership.objects.filter(user__is_active=True)
    count = 0
    while True:
        with transaction.atomic():
            due = list(
                Registration.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(status=RegistrationStatus.COMPLETE, product__end_of_support__lt=today)
                .select_related("product", "business")
                .order_by("pk")[:END_OF_SUPPORT_CHUNK]
            )
            if not due:
                return count
            statuses_move(
                Registration.objects.filter(pk__in=[registration.pk for registration in due]),
                [RegistrationStatus.COMPLETE],
                RegistrationStatus.END_OF_SUPPORT,
                points_credited=0,
            )
            points_post_many(
                [
                    LedgerLine(
                        business_id=registration.business_id,
                        amount=-registration.points_credited,
                        reason=LedgerReason.END_OF_SUPPORT,
                        reference=_reference(registration),
                        registration_id=registration.pk,
                    )
                    for registration in due
                    if registration.points_credited
                ]
            )
            prefetch_related_objects(
                [registration.business for registration in due], Prefetch("memberships", queryset=active)
            )
            notifications_businesses(
                entries=[
                    (
                        registration.business,
                        {
                            "product": str(registration.product),
                            "points": registration.points_credited,
                            "serial": registration.serial_number,
                        },
                        reverse("products:detail", args=[registration.pk]),
                    )
                    for registration in due
                ],
                kind="end_of_support",
                title=_("%(product)s reached its end of support"),
                body=_("The %(points)s points of serial %(serial)s are no longer counted."),
            )
            count += len(due)


AT_RISK_CHUNK = 1_000  # businesses per claim


def end_of_support_notices_claim(
    *, today: date, businesses: int = AT_RISK_CHUNK, after_business: int = 0
) -> list[EndOfSupportNotice]:
    """Record the end-of-support notices due as of `today` for up to `businesses` businesses
    (those after `after_business` by id: a run walks the businesses once, chunk after chunk):
    each credited registration whose model's end of support is at most 90 or 30 days ahead
    (AT_RISK_DAYS) gets one notice for the nearest of those thresholds, once per threshold and
    end-of-support date (a unique constraint; a missed day is caught up, a threshold already
    passed is not sent late). Set-wise: one query picks the businesses, one INSERT records every
    notice of theirs, one query reads back the ones this call recorded (a concurrent call's
    are left to it, and the businesses it took are looked past). Returns them with their
    registration, product and business; [] only when none is due. Runs in the caller's
    transaction, which tells the businesses."""
    windows = sorted(AT_RISK_DAYS)
    threshold = Case(
        *[When(product__end_of_support__lte=today + timedelta(days=days), then=Value(days)) for days in windows],
        default=Value(windows[-1]),
    )
    told = EndOfSupportNotice.objects.filter(
        registration=OuterRef("pk"),
        days_before=OuterRef("threshold"),
        end_of_support=OuterRef("product__end_of_support"),
    )
    due = registrations_nearing_end_of_support(today=today).annotate(threshold=threshold).filter(~Exists(told))
    while chosen := list(
        due.filter(business_id__gt=after_business)
        .order_by("business_id")
        .values_list("business_id", flat=True)
        .distinct()[:businesses]
    ):
        after_business = chosen[-1]
        batch = uuid.uuid4()
        EndOfSupportNotice.objects.bulk_create(
            [
                EndOfSupportNotice(registration_id=pk, days_before=days, end_of_support=end, batch=batch)
                # In registration order: concurrent runs meet on the unique index in one order,
                # so they wait for each other rather than deadlock.
                for pk, days, end in due.filter(business_id__in=chosen)
                .order_by("pk")
                .values_list("pk", "threshold", "product__end_of_support")
                if end is not None  # always: the window filters on it
            ],
            ignore_conflicts=True,
        )
        claimed = list(
            EndOfSupportNotice.objects.filter(batch=batch)
            .select_related("registration__product", "registration__business")
            .order_by("registration__business_id", "end_of_support", "registration__product__name", "registration_id")
        )
        if claimed:
            return claimed
        # A concurrent run recorded all of these first (and tells them): look again past them.
    return []
