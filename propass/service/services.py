"""Service requests: a member asks for a repair, maintenance check or sensor clean of a credited
product and gets a reference at once; the service centre records receipt (the promise starts),
works, quotes with the membership's repair discount, finishes and ships back. Every step moves
the request through its table, is audited, shown on the timeline and told to the business
under the bell and by e-mail (the reference in the subject)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.accounts.permissions import has_billing_rights, is_service_agent
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from propass.core.selectors import program_current
from propass.core.services import audit_record, business_days_after, sequence_next
from propass.core.statuses import check_transition, status_move
from propass.core.uploads import CheckedUpload, upload_check, with_stored_files
from propass.memberships.benefits import (
    Discount,
    allowance_give_back,
    allowance_use,
    benefit_of,
    repair_discount,
    repair_discount_take,
)
from propass.memberships.enums import BenefitKind, SubscriptionStatus
from propass.memberships.models import AllowanceEntry, Tier
from propass.memberships.services import subscription_current
from propass.notifications.rendering import source_text
from propass.notifications.services import business_notify
from propass.products.enums import RegistrationStatus
from propass.products.models import Registration
from propass.service.enums import (
    ALLOWANCE_KINDS,
    CANCELLABLE,
    FINISHED,
    SERVICE_TRANSITIONS,
    ServiceKind,
    ServiceStatus,
    StepKind,
)
from propass.service.models import ServiceAttachment, ServiceCentre, ServiceRequest, ServiceStep
from propass.service.selectors import NOT_FOUND

MAX_DESCRIPTION = 5000
MAX_ATTACHMENTS = 5
MAX_QUOTE = Decimal("99999999.99")
NOTIFICATION_KIND = "service_request"

# Why a registration cannot be serviced, by its status.
NOT_SERVICEABLE = {
    RegistrationStatus.INCOMPLETE: _(
        "This product's registration is missing details, so it is not credited yet. Complete it first."
    ),
    RegistrationStatus.UNDER_REVIEW: _(
        "This product's registration is under review. You can ask for service once it is confirmed."
    ),
    RegistrationStatus.REJECTED: _("This product's registration was rejected, so it cannot be serviced."),
    RegistrationStatus.END_OF_SUPPORT: _("This product has reached its end of support and can no longer be serviced."),
}
# What the allowance ledger says for a use and a use given back (English source; shown translated).
ALLOWANCE_REASONS = {
    ServiceKind.MAINTENANCE: _("Maintenance check"),
    ServiceKind.SENSOR_CLEAN: _("Sensor clean"),
}
GIVEN_BACK = _("Service request cancelled")
QUOTE_REASON = _("Repair quote")
QUOTE_DECLINED = _("Repair quote declined")


@dataclass(frozen=True)
class ServiceRequestInput:
    """What the member fills in. Return address fields left empty take the business's."""

    registration_id: int | None
    kind: str
    description: str
    centre: str  # the service centre's code
    return_name: str = ""
    return_street: str = ""
    return_postal_code: str = ""
    return_city: str = ""
    return_country: str = ""


# --- Shared steps ---------------------------------------------------------------------------------


def service_request_url(request: ServiceRequest) -> str:
    return reverse("service:detail", args=[request.pk])


def _require_agent(user: User) -> None:
    if not is_service_agent(user):
        raise Forbidden(_("Only service centre agents can do this."))


def _locked(request_id: int, business: Business | None = None) -> ServiceRequest:
    requests = ServiceRequest.objects.select_for_update()
    if business is not None:
        requests = requests.filter(business=business)
    found = requests.filter(pk=request_id).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def _move(request: ServiceRequest, new: str, *, actor: User | None, action: AuditAction, **fields: Any) -> None:
    """Move a request the caller has locked; IllegalTransition when its table does not allow it."""
    if not status_move(request, new, actor=actor, action=action, data={"reference": request.reference}, **fields):
        raise Conflict()


def _step(request: ServiceRequest, kind: StepKind, *, actor: User | None, **params: Any) -> ServiceStep:
    return ServiceStep.objects.create(
        request=request,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        by_staff=bool(actor is not None and actor.is_staff),
        params={key: value.isoformat() if isinstance(value, date) else str(value) for key, value in params.items()},
    )


def _notify(request: ServiceRequest, title: Any, body: Any = "", **params: Any) -> None:
    """Tell every user of the business, under the bell and by e-mail in their language; the
    title (the e-mail's subject) starts with the reference."""
    business_notify(
        business=request.business,
        kind=NOTIFICATION_KIND,
        title=title,
        body=body,
        url=service_request_url(request),
        params={"reference": request.reference, **params},
    )


def _reference_next() -> str:
    """SR-<year>-<number>: gap-free per year (a refused request hands its number back)."""
    year = timezone.localdate().year
    return f"SR-{year}-{sequence_next(name=f'service-request-{year}'):06d}"


def _membership_check(business: Business) -> None:
    subscription = subscription_current(business=business)
    if subscription is None:
        raise Conflict(
            _("Service requests are a membership benefit, and your business has no active membership."),
            code="no_membership",
        )
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise Conflict(
            _("Your membership is suspended until the unpaid invoice is paid; its benefits cannot be used now."),
            code="membership_suspended",
        )


def _registration_check(business: Business, registration_id: int | None) -> tuple[Registration | None, str, str]:
    """The registration, or why it cannot be serviced (message and code)."""
    registration = (
        Registration.objects.filter(pk=registration_id, business=business).select_related("product").first()
        if registration_id
        else None
    )
    if registration is None:
        return None, str(_("Choose one of your business's registered products.")), "registration_not_found"
    if registration.status != RegistrationStatus.COMPLETE:
        reason = NOT_SERVICEABLE.get(
            RegistrationStatus(registration.status), NOT_SERVICEABLE[RegistrationStatus.REJECTED]
        )
        return None, str(reason), "registration_not_credited"
    refusal = _open_request_refusal(registration)
    if refusal:
        return None, refusal, "open_request_exists"
    return registration, "", ""


def _open_request_refusal(registration: Registration) -> str:
    open_request = (
        ServiceRequest.objects.filter(registration=registration).exclude(status__in=FINISHED).only("reference").first()
    )
    if open_request is None:
        return ""
    return str(
        _("This product already has an open service request, %(reference)s.") % {"reference": open_request.reference}
    )


def _address_check(business: Business, data: ServiceRequestInput, errors: dict[str, list[str]]) -> dict[str, str]:
    given = {
        "return_name": data.return_name.strip(),
        "return_street": data.return_street.strip(),
        "return_postal_code": data.return_postal_code.strip(),
        "return_city": data.return_city.strip(),
        "return_country": data.return_country.strip().upper(),
    }
    if not any(given.values()):
        given = {
            "return_name": business.name,
            "return_street": business.street,
            "return_postal_code": business.postal_code,
            "return_city": business.city,
            "return_country": str(business.country),
        }
    limits = {"return_name": 200, "return_street": 200, "return_postal_code": 20, "return_city": 100}
    for name, value in given.items():
        if not value:
            errors[name] = [str(_("This field is required."))]
        elif name in limits and len(value) > limits[name]:
            errors[name] = [str(_("Ensure this value has at most %(limit)s characters.") % {"limit": limits[name]})]
    if given["return_country"] and len(given["return_country"]) != 2:
        errors["return_country"] = [str(_("Choose a country."))]
    return given


def _attachments_check(files: Sequence[UploadedFile], errors: dict[str, list[str]]) -> list[CheckedUpload]:
    if len(files) > MAX_ATTACHMENTS:
        errors["attachments"] = [str(_("Send at most %(count)s files.") % {"count": MAX_ATTACHMENTS})]
        return []
    checked = []
    max_bytes = program_current().max_upload_mb * 1024 * 1024
    for upload in files:
        try:
            checked.append(upload_check(upload, max_bytes=max_bytes, field="attachments"))
        except InvalidInput as exc:
            for messages in exc.fields.values():
                errors.setdefault("attachments", []).extend(str(m) for m in messages)
    return checked


# --- The member -------------------------------------------------------------------------------------


def service_request_create(
    *, business: Business, actor: User, data: ServiceRequestInput, attachments: Sequence[UploadedFile] = ()
) -> ServiceRequest:
    """A member asks for service of one of the business's credited products and gets a
    reference at once. Refused with the reason for a product of another business, one not
    credited (missing details) or under review, without an active membership (none, or
    suspended), and for a maintenance check or sensor clean when none is left this membership
    year: those use one of the year's maintenance checks, in the same transaction."""
    errors: dict[str, list[str]] = {}
    if data.kind not in ServiceKind.values:
        errors["kind"] = [str(_("Choose what the product needs."))]
    description = data.description.strip()
    if not description:
        errors["description"] = [str(_("Tell us what the product needs or what is wrong with it."))]
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = [
            str(_("The description is longer than %(limit)s characters.") % {"limit": MAX_DESCRIPTION})
        ]
    centre = service_centre_get(code=data.centre)
    if centre is None:
        errors["centre"] = [str(_("Choose a service centre."))]
    address = _address_check(business, data, errors)
    checked = _attachments_check(attachments, errors)
    registration, refusal, code = _registration_check(business, data.registration_id)
    if refusal:
        errors["registration"] = [refusal]
    if errors:
        raise InvalidInput(fields=errors, code=code if refusal else None)
    assert registration is not None and centre is not None
    _membership_check(business)
    kind = ServiceKind(data.kind)

    def write(written: list[ServiceAttachment]) -> ServiceRequest:
        reference = _reference_next()  # one creation at a time from here: the check below holds
        refusal = _open_request_refusal(registration)
        if refusal:
            raise InvalidInput(fields={"registration": [refusal]}, code="open_request_exists")
        entry = None
        if kind in ALLOWANCE_KINDS:
            entry = allowance_use(
                business=business,
                kind=BenefitKind.MAINTENANCE_CHECKS,
                reason=source_text(ALLOWANCE_REASONS[kind]),
                reference=reference,
                actor=actor,
            )
        subscription = subscription_current(business=business)
        request = ServiceRequest.objects.create(
            reference=reference, business=business, registration=registration, created_by=actor, kind=kind,
            description=description, centre=centre, tier=subscription.tier if subscription else None,
            allowance_entry=entry, **address,
        )  # fmt: skip
        for upload in checked:
            attachment = ServiceAttachment(
                request=request, original_name=upload.safe_name, content_type=upload.content_type, size=upload.size
            )
            attachment.file.save(f"attachment.{upload.extension}", ContentFile(upload.content), save=False)
            written.append(attachment)
            attachment.save()
        _step(request, StepKind.SUBMITTED, actor=actor)
        audit_record(
            actor=actor,
            action=AuditAction.SERVICE_CREATE,
            target=request,
            data={"kind": kind, "registration": registration.pk, "centre": centre.code, "allowance": entry is not None},
        )
        _notify(
            request,
            _("%(reference)s: your service request is registered"),
            _(
                "Send the product to %(centre)s with the printed shipping slip in the parcel. "
                "The promised date is set when the centre receives it."
            ),
            centre=centre.name,
        )
        return request

    return with_stored_files(write)


def service_centre_get(*, code: str) -> ServiceCentre | None:
    return ServiceCentre.objects.filter(code=code, active=True).first() if code else None


def service_request_mark_sent(
    *, business: Business, actor: User, request_id: int, tracking: str = ""
) -> ServiceRequest:
    """The member says the parcel is on its way to the centre (optionally with its tracking
    number); the centre may also record receipt without this."""
    tracking = tracking.strip()
    if len(tracking) > 100:
        raise InvalidInput(
            fields={"tracking": [str(_("Ensure this value has at most %(limit)s characters.") % {"limit": 100})]}
        )
    with transaction.atomic():
        request = _locked(request_id, business)
        _move(request, ServiceStatus.AWAITING_PRODUCT, actor=actor, action=AuditAction.SERVICE_SENT,
              inbound_tracking=tracking)  # fmt: skip
        _step(request, StepKind.SENT, actor=actor, **({"tracking": tracking} if tracking else {}))
        _notify(request, _("%(reference)s: your product is on its way to the service centre"))
    return request


def service_request_cancel(*, business: Business, actor: User, request_id: int) -> ServiceRequest:
    """Cancel a request whose product has not reached the centre; a maintenance check it used
    is given back to the membership year."""
    with transaction.atomic():
        request = _locked(request_id, business)
        if request.status not in CANCELLABLE:
            raise Conflict(
                _("This request can no longer be cancelled: the service centre has the product."),
                code="illegal_transition",
            )
        given_back = None
        if request.allowance_entry_id is not None and request.allowance_return_id is None:
            entry = AllowanceEntry.objects.get(pk=request.allowance_entry_id)
            given_back = allowance_give_back(entry=entry, reason=source_text(GIVEN_BACK), actor=actor)
        fields: dict[str, Any] = {"closed_at": timezone.now()}
        if given_back is not None:
            fields["allowance_return"] = given_back
        _move(request, ServiceStatus.CANCELLED, actor=actor, action=AuditAction.SERVICE_CANCEL, **fields)
        _step(request, StepKind.CANCELLED, actor=actor)
        _notify(
            request,
            _("%(reference)s: your service request is cancelled"),
            _("The maintenance check it used is given back to this membership year.") if given_back else "",
        )
    return request


def _require_billing_rights(actor: User, business: Business) -> None:
    if not has_billing_rights(user=actor, business=business):
        raise Forbidden(
            _("Only your business's superuser or an administrator can approve or decline a quote."),
            code="billing_rights_required",
        )


def service_quote_approve(*, business: Business, actor: User, request_id: int) -> ServiceRequest:
    """The business approves the quote in one click (superuser or administrator: it commits the
    business to pay); the repair goes ahead."""
    _require_billing_rights(actor, business)
    with transaction.atomic():
        request = _locked(request_id, business)
        _quote_waiting(request)
        _move(request, ServiceStatus.IN_SERVICE, actor=actor, action=AuditAction.SERVICE_QUOTE_APPROVE)
        _step(request, StepKind.QUOTE_APPROVED, actor=actor)
        _notify(request, _("%(reference)s: quote approved, the repair goes ahead"))
    return request


def service_quote_decline(*, business: Business, actor: User, request_id: int) -> ServiceRequest:
    """The business declines the quote in one click: the product is made ready to be shipped
    back unrepaired, and the repair discount the quote took is given back to the yearly cap."""
    _require_billing_rights(actor, business)
    with transaction.atomic():
        request = _locked(request_id, business)
        _quote_waiting(request)
        discount_entry = _quote_discount_entry(request)
        if discount_entry is not None:
            allowance_give_back(entry=discount_entry, reason=source_text(QUOTE_DECLINED), actor=actor)
        _move(request, ServiceStatus.READY, actor=actor, action=AuditAction.SERVICE_QUOTE_DECLINE)
        _step(request, StepKind.QUOTE_DECLINED, actor=actor)
        _notify(
            request,
            _("%(reference)s: quote declined"),
            _("The product will be shipped back to you unrepaired."),
        )
    return request


def _only_from(request: ServiceRequest, status: str, new: str) -> None:
    """Refuse (as an illegal move) a step the table allows from several statuses when this
    actor may take it from `status` only."""
    check_transition({status: {new}}, request.status, new)


def _quote_waiting(request: ServiceRequest) -> None:
    if request.status != ServiceStatus.QUOTE_WAITING:
        raise Conflict(_("There is no quote waiting for a decision on this request."), code="illegal_transition")


def _quote_discount_entry(request: ServiceRequest) -> AllowanceEntry | None:
    """The cap entry the current quote's discount was recorded with, if it was recorded."""
    if not request.quote_discount or request.quote_cap_left is None:
        return None
    return (
        AllowanceEntry.objects.filter(
            subscription__business=request.business,
            benefit__kind=BenefitKind.REPAIR_DISCOUNT,
            reference=request.reference,
            quantity=request.quote_discount,
        )
        .order_by("-id")
        .first()
    )


# --- The service centre -------------------------------------------------------------------------------


def promise_for(*, business: Business, centre: ServiceCentre, received_on: date) -> tuple[int | None, date | None]:
    """The tier's turnaround (business days) and the promised date: the receipt day plus that
    many business days of the centre's country (weekends and its public holidays skipped).
    None without a turnaround benefit (no live membership)."""
    benefit = benefit_of(business=business, kind=BenefitKind.REPAIR_TURNAROUND)
    if benefit is None or not benefit.days:
        return None, None
    start = timezone.make_aware(datetime.combine(received_on, time(12)))
    promised = business_days_after(start=start, days=benefit.days, country=str(centre.holiday_country))
    return benefit.days, timezone.localdate(promised)


def service_request_receive(*, agent: User, request_id: int, received_on: date) -> ServiceRequest:
    """The centre records the day the product arrived; the promise starts: `promised_by` is
    that day plus the tier's turnaround in the centre's business days."""
    _require_agent(agent)
    today = timezone.localdate()
    if received_on > today:
        raise InvalidInput(fields={"received_on": [str(_("The day of receipt cannot be in the future."))]})
    with transaction.atomic():
        request = _locked(request_id)
        if received_on < timezone.localdate(request.created_at):
            raise InvalidInput(
                fields={"received_on": [str(_("The product cannot arrive before the request was made."))]}
            )
        check_transition(SERVICE_TRANSITIONS, request.status, ServiceStatus.RECEIVED)
        days, promised_by = promise_for(business=request.business, centre=request.centre, received_on=received_on)
        subscription = subscription_current(business=request.business)
        tier: Tier | None = subscription.tier if subscription is not None else request.tier
        _move(request, ServiceStatus.RECEIVED, actor=agent, action=AuditAction.SERVICE_RECEIVE,
              received_on=received_on, turnaround_days=days, promised_by=promised_by, tier=tier)  # fmt: skip
        if promised_by is not None:
            _step(request, StepKind.RECEIVED, actor=agent, received_on=received_on, promised_by=promised_by)
            _notify(
                request,
                _("%(reference)s: the service centre has received your product"),
                _("We promise to have it ready by %(promised_by)s."),
                promised_by=promised_by,
            )
        else:
            _step(request, StepKind.RECEIVED, actor=agent, received_on=received_on)
            _notify(request, _("%(reference)s: the service centre has received your product"))
    return request


def service_request_start(*, agent: User, request_id: int, diagnosis: str = "") -> ServiceRequest:
    """The centre starts work on the product (repair or check), with its diagnosis, which the
    member reads in the timeline."""
    _require_agent(agent)
    diagnosis = _text_check("diagnosis", diagnosis)
    with transaction.atomic():
        request = _locked(request_id)
        _only_from(
            request, ServiceStatus.RECEIVED, ServiceStatus.IN_SERVICE
        )  # after a quote, only the member's approval goes on
        _move(request, ServiceStatus.IN_SERVICE, actor=agent, action=AuditAction.SERVICE_START)
        _step(request, StepKind.IN_SERVICE, actor=agent, **({"diagnosis": diagnosis} if diagnosis else {}))
        if diagnosis:
            _notify(request, _("%(reference)s: work on your product has started"), _("Diagnosis: %(diagnosis)s"),
                    diagnosis=diagnosis)  # fmt: skip
        else:
            _notify(request, _("%(reference)s: work on your product has started"))
    return request


def quote_amount_parse(value: Any) -> Decimal:
    """A quote's amount excl. VAT: more than zero, at most two decimals."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    if not amount.is_finite() or amount <= 0 or amount > MAX_QUOTE or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(fields={"amount": [str(_("Enter an amount above zero with at most two decimals."))]})
    return amount.quantize(Decimal("0.01"))


def quote_preview(*, request: ServiceRequest, amount: Decimal) -> Discount:
    """The discount a quote of `amount` would get now (read only; for the agent's form)."""
    return repair_discount(business=request.business, amount=amount)


def _text_check(field: str, text: str) -> str:
    text = text.strip()
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput(
            fields={field: [str(_("The note is longer than %(limit)s characters.") % {"limit": MAX_DESCRIPTION})]}
        )
    return text


def service_request_quote(*, agent: User, request_id: int, amount: Any, note: str = "") -> ServiceRequest:
    """The centre quotes a repair (excl. VAT); the membership's repair discount is applied within
    what is left of its yearly cap (recorded against the cap now, given back if the member
    declines) and shown with the cap. The request then waits for the member's decision."""
    _require_agent(agent)
    amount = quote_amount_parse(amount)
    note = _text_check("note", note)
    with transaction.atomic():
        request = _locked(request_id)
        check_transition(SERVICE_TRANSITIONS, request.status, ServiceStatus.QUOTE_WAITING)
        discount = _discount_take(request, amount, agent)
        _move(request, ServiceStatus.QUOTE_WAITING, actor=agent, action=AuditAction.SERVICE_QUOTE,
              quote_amount=amount, quote_discount=discount.amount, quote_percent=discount.percent or None,
              quote_cap_left=discount.cap_left, quote_currency=discount.currency, quote_note=note)  # fmt: skip
        total = amount - discount.amount
        _step(request, StepKind.QUOTED, actor=agent, amount=amount, discount=discount.amount, total=total,
              currency=discount.currency)  # fmt: skip
        _notify(
            request,
            _("%(reference)s: a quote is waiting for your approval"),
            _(
                "The repair costs %(total)s %(currency)s excl. VAT after your membership discount of "
                "%(discount)s %(currency)s. Approve or decline it on the request's page."
            ),
            total=total,
            discount=discount.amount,
            currency=discount.currency,
        )
    return request


def _discount_take(request: ServiceRequest, amount: Decimal, agent: User) -> Discount:
    try:
        return repair_discount_take(
            business=request.business, amount=amount, reason=source_text(QUOTE_REASON), reference=request.reference,
            actor=agent,
        )  # fmt: skip
    except DomainError:
        # The membership ended or is suspended since the request was made: no discount.
        return repair_discount(business=request.business, amount=amount)


def service_request_ready(*, agent: User, request_id: int) -> ServiceRequest:
    """The centre has finished: the product is ready to be shipped back."""
    _require_agent(agent)
    with transaction.atomic():
        request = _locked(request_id)
        _only_from(request, ServiceStatus.IN_SERVICE, ServiceStatus.READY)  # a waiting quote is the member's to decline
        _move(request, ServiceStatus.READY, actor=agent, action=AuditAction.SERVICE_READY)
        _step(request, StepKind.READY, actor=agent)
        _notify(request, _("%(reference)s: your product is ready and will be shipped back soon"))
    return request


def shipment_check(*, carrier: str, tracking: str) -> tuple[str, str]:
    """A parcel's carrier and tracking number as staff typed them, both required (a shipment back
    to the member or a loan unit sent out)."""
    carrier, tracking = carrier.strip(), tracking.strip()
    errors: dict[str, list[str]] = {}
    for name, value, limit in (("carrier", carrier, 60), ("tracking", tracking, 100)):
        if not value:
            errors[name] = [str(_("This field is required."))]
        elif len(value) > limit:
            errors[name] = [str(_("Ensure this value has at most %(limit)s characters.") % {"limit": limit})]
    if errors:
        raise InvalidInput(fields=errors)
    return carrier, tracking


def service_request_ship(*, agent: User, request_id: int, carrier: str, tracking: str) -> ServiceRequest:
    """The centre ships the product back, with the carrier and the tracking number."""
    _require_agent(agent)
    carrier, tracking = shipment_check(carrier=carrier, tracking=tracking)
    with transaction.atomic():
        request = _locked(request_id)
        _move(request, ServiceStatus.SHIPPED, actor=agent, action=AuditAction.SERVICE_SHIP,
              carrier=carrier, tracking=tracking, shipped_on=timezone.localdate())  # fmt: skip
        _step(request, StepKind.SHIPPED, actor=agent, carrier=carrier, tracking=tracking)
        _notify(
            request,
            _("%(reference)s: your product is on its way back"),
            _("Carrier: %(carrier)s. Tracking number: %(tracking)s."),
            carrier=carrier,
            tracking=tracking,
        )
    return request


def service_request_close(*, agent: User, request_id: int) -> ServiceRequest:
    """The centre closes a request whose product was shipped back."""
    _require_agent(agent)
    with transaction.atomic():
        request = _locked(request_id)
        _move(request, ServiceStatus.CLOSED, actor=agent, action=AuditAction.SERVICE_CLOSE, closed_at=timezone.now())
        _step(request, StepKind.CLOSED, actor=agent)
        _notify(request, _("%(reference)s: your service request is closed"))
    return request
