"""Product transfers between businesses: a business releases a registration to another one,
which accepts it with the date of its own purchase. Points move with it in one transaction: the
releasing business is debited what it had from the product, the receiver credited the catalog
value of the day. Staff may reverse an accepted transfer, once."""

from datetime import date
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, BusinessMembership, User, normalize_email
from propass.accounts.permissions import has_billing_rights
from propass.catalog.models import ProductModel
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from propass.core.selectors import program_current
from propass.core.services import audit_record
from propass.core.statuses import status_move
from propass.core.uploads import CheckedUpload, upload_check
from propass.core.vat import vat_number_forms
from propass.notifications.services import business_notify
from propass.points.enums import LedgerReason
from propass.points.services import points_post
from propass.products.enums import RegistrationStatus, TransferStatus
from propass.products.models import ProductTransfer, Registration, transfer_proof_path
from propass.products.signals import registration_busy

RIGHTS = _("Only the business superuser and administrators can transfer products.")
CLOSED = _("This transfer is no longer open.")


def _require_rights(actor: User, business: Business) -> None:
    if not has_billing_rights(user=actor, business=business):
        raise Forbidden(RIGHTS)


def registration_busy_reason(registration: Registration) -> str:
    """Why the product cannot change hands now (in service, on loan), as the apps above answer
    products' hook; empty when it is free."""
    for _receiver, answer in registration_busy.send(sender=Registration, registration=registration):
        if answer:
            return str(answer)
    return ""


def _recipient_clean(recipient: str) -> tuple[str, str | set[str]]:
    """The typed recipient as an e-mail ("email", address) or the stored forms of a VAT number
    ("vat", forms). Refused only when it is neither: whether it names a business is not said."""
    text = (recipient or "").strip()
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            pass
        else:
            return "email", normalize_email(text)
    else:
        forms = vat_number_forms(text.replace(" ", "").replace(".", "").replace("-", "").upper())
        if forms:
            return "vat", forms
    raise InvalidInput(
        fields={"recipient": [str(_("Enter the e-mail of one of the business's users or its VAT number."))]}
    )


def _recipient_business(kind: str, value: str | set[str]) -> Business | None:
    """The business an offer goes to: the one of an active user with that e-mail, or the only
    business with that VAT number; None when there is none (or several share the number)."""
    if kind == "email":
        membership = (
            BusinessMembership.objects.select_related("business")
            .filter(user__email__iexact=value, user__is_active=True)
            .first()
        )
        return membership.business if membership is not None else None
    found = list(Business.objects.filter(vat_number__in=value).order_by("pk")[:2])
    return found[0] if len(found) == 1 else None


def _describe(transfer: ProductTransfer) -> dict[str, object]:
    return {
        "product": transfer.product.name if transfer.product else "",
        "serial": transfer.serial_number,
        "from": transfer.from_business.name,
        "to": transfer.to_business.name if transfer.to_business else "",
    }


def _reference(transfer: ProductTransfer) -> str:
    return f"transfer:{transfer.pk} {transfer.product or ''} {transfer.serial_number}".strip()


def transfer_offer(*, business: Business, actor: User, registration_id: int, recipient: str) -> ProductTransfer:
    """The releasing business (superuser or administrator) offers one of its credited products
    to another business, named by the e-mail of one of its users or its VAT number. The answer is
    the same whether or not a business was found; only a found business is told. A product in
    service or on loan, or already offered, cannot be offered."""
    _require_rights(actor, business)
    kind, value = _recipient_clean(recipient)
    receiver = _recipient_business(kind, value)
    if receiver is not None and receiver.pk == business.pk:
        raise InvalidInput(fields={"recipient": [str(_("This is your own business."))]})
    with transaction.atomic():
        registration = Registration.objects.select_for_update().filter(pk=registration_id, business=business).first()
        if registration is None:
            raise NotFound()
        if registration.status != RegistrationStatus.COMPLETE:
            raise Conflict(_("Only a product whose points are credited can be transferred."), code="not_transferable")
        busy = registration_busy_reason(registration)
        if busy:
            raise Conflict(busy, code="product_busy")
        try:
            with transaction.atomic():
                transfer = ProductTransfer.objects.create(
                    registration=registration,
                    product_id=registration.product_id,
                    serial_number=registration.serial_number,
                    from_business=business,
                    to_business=receiver,
                    recipient=(recipient or "").strip()[:254],
                    created_by=actor,
                )
        except IntegrityError:
            raise Conflict(
                _("This product is already offered to another business; cancel that offer first."),
                code="transfer_open",
            ) from None
        audit_record(
            actor=actor,
            action=AuditAction.TRANSFER_OFFER,
            target=transfer,
            # Whether the recipient names a business stays out: the business may read its own
            # entries in its data export.
            data={"registration": registration.pk, "recipient": transfer.recipient},
        )
        if receiver is not None:
            business_notify(
                business=receiver,
                kind="transfer_offered",
                title=_("%(from)s transfers %(product)s %(serial)s to you"),
                body=_(
                    "Accept it on MY PRODUCTS with the date you bought it: its points are then credited to your "
                    "business."
                ),
                url=reverse("products:transfer", args=[transfer.pk]),
                params=_describe(transfer),
            )
    return transfer


def _incoming_locked(business: Business, transfer_id: int) -> ProductTransfer:
    """A transfer offered to the caller's business, its row locked; another's is not found."""
    transfer = ProductTransfer.objects.select_for_update().filter(pk=transfer_id, to_business=business).first()
    if transfer is None:
        raise NotFound()
    if transfer.status != TransferStatus.OFFERED:
        raise Conflict(CLOSED, code="transfer_closed")
    return transfer


def _purchase_date_check(purchase_date: date | None, product: ProductModel | None) -> date:
    if purchase_date is None:
        raise InvalidInput(fields={"purchase_date": [str(_("Give the date you bought the product."))]})
    if purchase_date > timezone.localdate():
        raise InvalidInput(fields={"purchase_date": [str(_("The purchase date cannot be in the future."))]})
    if product is not None and product.launch_date and purchase_date < product.launch_date:
        raise InvalidInput(
            fields={
                "purchase_date": [
                    str(_("This model was launched on %(date)s; the purchase date cannot be earlier."))
                    % {"date": product.launch_date.isoformat()}
                ]
            }
        )
    return purchase_date


def _make_room(business: Business, registration: Registration, note: str) -> None:
    """The receiving business's own registration of the same model and serial, waiting for
    review because the other business held it (a resale), is replaced by the transferred one;
    any other registration of it must be deleted first."""
    for own in (
        Registration.objects.select_for_update()
        .filter(business=business, product_id=registration.product_id, serial_number=registration.serial_number)
        .exclude(status=RegistrationStatus.REJECTED)
        .exclude(pk=registration.pk)
        .order_by("pk")
    ):
        if own.status != RegistrationStatus.UNDER_REVIEW:
            raise Conflict(
                _(
                    "This product is already registered to the receiving business; that registration must be "
                    "deleted first."
                ),
                code="duplicate",
            )
        status_move(own, RegistrationStatus.REJECTED, review_note=note)


def _move(
    transfer: ProductTransfer,
    registration: Registration,
    *,
    source: Business,
    target: Business,
    purchase_date: date | None,
    credit: int,
    reason_out: LedgerReason,
    reason_in: LedgerReason,
    actor: User,
    note: str = "",
) -> int:
    """Move the registration from `source` to `target` with the points: `source` is debited
    what it had from it, `target` credited `credit`. Both business rows are locked in id order
    first (after the registration: the order every points writer follows), so two moves never
    wait on each other in a circle. Returns the points debited."""
    list(
        Business.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    debit = registration.points_credited
    reference = _reference(transfer)
    if debit:
        points_post(
            business_id=source.pk,
            amount=-debit,
            reason=reason_out,
            reference=reference,
            registration_id=registration.pk,
            actor=actor,
            note=note,
        )
    Registration.objects.filter(pk=registration.pk).update(
        business=target,
        purchase_date=purchase_date,
        points_value=credit,
        points_credited=credit,
        review_note="",
        updated_at=timezone.now(),
    )
    if credit:
        points_post(
            business_id=target.pk,
            amount=credit,
            reason=reason_in,
            reference=reference,
            registration_id=registration.pk,
            actor=actor,
            note=note,
        )
    return debit


def _registration_locked(transfer: ProductTransfer, holder_id: int | None) -> Registration:
    """The transferred registration, locked, still credited to `holder_id`: what moves is the row
    as it is now."""
    found = Registration.objects.select_for_update().filter(pk=transfer.registration_id or 0)
    registration = found.first() if transfer.registration_id else None
    if (
        registration is None
        or registration.business_id != holder_id
        or registration.status != RegistrationStatus.COMPLETE
    ):
        raise Conflict(_("This product can no longer be transferred: it changed since the offer."), code="changed")
    busy = registration_busy_reason(registration)
    if busy:
        raise Conflict(busy, code="product_busy")
    return registration


def _proof_store(proof: UploadedFile | None) -> tuple[CheckedUpload | None, str]:
    if proof is None:
        return None, ""
    checked = upload_check(proof, max_bytes=program_current().max_upload_mb * 1024 * 1024, field="proof")
    storage = ProductTransfer._meta.get_field("proof").storage
    name = storage.save(
        transfer_proof_path(ProductTransfer(), f"proof.{checked.extension}"), ContentFile(checked.content)
    )
    return checked, name


def transfer_accept(
    *,
    business: Business,
    actor: User,
    transfer_id: int,
    purchase_date: date | None,
    proof: UploadedFile | None = None,
) -> ProductTransfer:
    """The receiving business (superuser or administrator) accepts a transfer offered to it,
    with the date of its own purchase and optionally a proof. In one transaction, exactly once
    however many accept at the same time: the registration moves to the receiver, the releasing
    business is debited the points it had from it, the receiver credited the catalog value of
    the product today. A product in service or on loan cannot move."""
    _require_rights(actor, business)
    peek = ProductTransfer.objects.select_related("product").filter(pk=transfer_id, to_business=business).first()
    if peek is None:
        raise NotFound()
    purchase_date = _purchase_date_check(purchase_date, peek.product)
    checked, stored = _proof_store(proof)
    try:
        with transaction.atomic():
            transfer = _incoming_locked(business, transfer_id)
            registration = _registration_locked(transfer, transfer.from_business_id)
            source = Business.objects.get(pk=transfer.from_business_id)
            product = ProductModel.objects.filter(pk=registration.product_id or 0).first()
            value = product.points_value if product is not None else 0
            _make_room(
                business,
                registration,
                str(_("Replaced by the product transferred from %(from)s.") % {"from": source.name}),
            )
            previous = registration.purchase_date
            debit = _move(
                transfer,
                registration,
                source=source,
                target=business,
                purchase_date=purchase_date,
                credit=value,
                reason_out=LedgerReason.TRANSFER_OUT,
                reason_in=LedgerReason.TRANSFER_IN,
                actor=actor,
            )
            status_move(
                transfer,
                TransferStatus.ACCEPTED,
                actor=actor,
                action=AuditAction.TRANSFER_ACCEPT,
                data={"registration": registration.pk, "debited": debit, "credited": value},
                accepted_by=actor,
                decided_at=timezone.now(),
                purchase_date=purchase_date,
                previous_purchase_date=previous,
                points_debited=debit,
                points_credited=value,
                proof=stored,
                proof_name=checked.safe_name if checked else "",
                proof_content_type=checked.content_type if checked else "",
            )
            transfer.from_business, transfer.to_business = source, business
            params = {**_describe(transfer), "debited": debit, "credited": value}
            business_notify(
                business=source,
                kind="transfer_accepted",
                title=_("%(to)s accepted %(product)s %(serial)s"),
                body=_(
                    "The product is now registered to %(to)s; its %(debited)s points were removed from your balance."
                ),
                url=reverse("products:list"),
                params=params,
            )
            business_notify(
                business=business,
                kind="transfer_accepted",
                title=_("%(product)s %(serial)s is now registered to your business"),
                body=_("%(credited)s points were credited to your business."),
                url=reverse("products:detail", args=[registration.pk]),
                params=params,
            )
    except BaseException:
        if stored:
            ProductTransfer._meta.get_field("proof").storage.delete(stored)
        raise
    return transfer


def transfer_decline(*, business: Business, actor: User, transfer_id: int) -> ProductTransfer:
    """The receiving business says no: the product stays where it is, and its owner is told."""
    _require_rights(actor, business)
    with transaction.atomic():
        transfer = _incoming_locked(business, transfer_id)
        status_move(
            transfer, TransferStatus.DECLINED, actor=actor, action=AuditAction.TRANSFER_DECLINE,
            decided_at=timezone.now(),
        )  # fmt: skip
        business_notify(
            business=transfer.from_business,
            kind="transfer_declined",
            title=_("The transfer of %(product)s %(serial)s was declined"),
            body=_("The product stays registered to your business with its points."),
            url=reverse("products:list"),
            params=_describe(transfer),
        )
    return transfer


def transfer_cancel(*, business: Business, actor: User, transfer_id: int) -> ProductTransfer:
    """The releasing business withdraws an offer not yet answered."""
    _require_rights(actor, business)
    with transaction.atomic():
        transfer = ProductTransfer.objects.select_for_update().filter(pk=transfer_id, from_business=business).first()
        if transfer is None:
            raise NotFound()
        if transfer.status != TransferStatus.OFFERED:
            raise Conflict(CLOSED, code="transfer_closed")
        status_move(
            transfer, TransferStatus.CANCELLED, actor=actor, action=AuditAction.TRANSFER_CANCEL,
            decided_at=timezone.now(),
        )  # fmt: skip
        if transfer.to_business is not None:
            business_notify(
                business=transfer.to_business,
                kind="transfer_cancelled",
                title=_("%(from)s withdrew the transfer of %(product)s %(serial)s"),
                url=reverse("products:list"),
                params=_describe(transfer),
            )
    return transfer


def transfer_reverse(*, transfer_id: int, agent: User, note: str) -> ProductTransfer:
    """Staff undo an accepted transfer, once, with a note: the registration goes back to the
    releasing business with its former purchase date, the receiver is debited what it was
    credited and the releasing business credited again what it was debited. Audited; both
    businesses are told."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput(fields={"note": [str(_("Write a note for the businesses."))]})
    with transaction.atomic():
        transfer = ProductTransfer.objects.select_for_update().filter(pk=transfer_id).first()
        if transfer is None:
            raise NotFound()
        if transfer.status != TransferStatus.ACCEPTED or transfer.to_business_id is None:
            raise Conflict(_("Only an accepted transfer can be reversed."), code="not_reversible")
        registration = _registration_locked(transfer, transfer.to_business_id)
        source = Business.objects.get(pk=transfer.to_business_id)
        target = Business.objects.get(pk=transfer.from_business_id)
        _make_room(target, registration, note)
        debit = _move(
            transfer,
            registration,
            source=source,
            target=target,
            purchase_date=transfer.previous_purchase_date,
            credit=transfer.points_debited,
            reason_out=LedgerReason.TRANSFER_REVERSAL,
            reason_in=LedgerReason.TRANSFER_REVERSAL,
            actor=agent,
            note=note,
        )
        status_move(
            transfer,
            TransferStatus.REVERSED,
            actor=agent,
            action=AuditAction.TRANSFER_REVERSE,
            data={"registration": registration.pk, "debited": debit, "credited": transfer.points_debited, "note": note},
            reversed_by=agent,
            reversed_at=timezone.now(),
            reversal_note=note,
        )
        transfer.from_business, transfer.to_business = target, source
        for business in (source, target):
            business_notify(
                business=business,
                kind="transfer_reversed",
                title=_("The transfer of %(product)s %(serial)s was reversed"),
                body=_("CPS Priority Support gave the product back to %(from)s, with its points. %(note)s"),
                url=reverse("products:list"),
                params={**_describe(transfer), "note": note},
            )
    return transfer


def transfer_suggest_for_conflict(*, registration_id: int, agent: User) -> None:
    """A serial conflict that is really a resale: staff tell the business holding the product
    that the claimant says it bought it, with a link to transfer it to the claimant (named by
    its VAT number, or its superuser's e-mail). The holder decides; nothing moves here."""
    with transaction.atomic():
        claim = (
            Registration.objects.select_related("business", "product")
            .filter(pk=registration_id, status=RegistrationStatus.UNDER_REVIEW)
            .first()
        )
        if claim is None:
            raise Conflict(_("This registration is no longer under review."), code="already_resolved")
        holder = (
            Registration.objects.select_related("business")
            .filter(product_id=claim.product_id, serial_number=claim.serial_number, status=RegistrationStatus.COMPLETE)
            .exclude(business_id=claim.business_id)
            .first()
        )
        if holder is None:
            raise Conflict(_("No other business holds this product any more."), code="no_holder")
        recipient = claim.business.vat_number
        if not recipient:
            people = BusinessMembership.objects.select_related("user").filter(
                business_id=claim.business_id, user__is_active=True
            )
            owner = people.filter(role="superuser").order_by("pk").first() or people.order_by("pk").first()
            recipient = owner.user.email if owner is not None else ""
        audit_record(
            actor=agent,
            action=AuditAction.TRANSFER_SUGGEST,
            target=holder,
            data={"claim": claim.pk, "claimant": claim.business_id},
        )
        business_notify(
            business=holder.business,
            kind="transfer_suggested",
            title=_("Did you sell %(product)s %(serial)s?"),
            body=_(
                "%(claimant)s registered this product and says it bought it. If you sold it, transfer it to them: "
                "its points then move to the new owner."
            ),
            url=f"{reverse('products:transfer_new', args=[holder.pk])}?{urlencode({'to': recipient})}",
            params={
                "product": str(claim.product or ""),
                "serial": claim.serial_number,
                "claimant": claim.business.name,
            },
        )
