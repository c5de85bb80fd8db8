"""Loan equipment: a business whose tier includes loans borrows a unit of the pool for some days.

The rules, all here: only a tier with the `loans` benefit may ask, for at most its `days`;
tied to one of the business's open service requests or on its own (decided: a standalone loan
is allowed to every tier with the loans benefit; no separate flag). The member accepts the loan
terms (their version is stored). One unit is never booked twice for overlapping days: the
booking transaction draws the gap-free reference first (one booking at a time, on SQLite the
write lock), locks the unit row and checks for an overlapping live loan; on PostgreSQL an
exclusion constraint on (unit, daterange) backs it up. Adjacent loans (one ends the 10th, the
next starts the 11th) are allowed.

The deposit (price data per model and currency, `LoanPrice`): a card member's card on file is
authorised for it (held, not charged) once the unit is booked; a declined card cancels the
booking. A bank-transfer member gives no hold: the loan's reference is the deposit reference,
and damage or lateness is invoiced by transfer like any invoice. A good return, on time,
releases the hold and closes the loan; a damaged or late return waits for a staff decision with
a note, which invoices the late days times the daily fee and/or the damage fee through the normal
invoicing path (VAT decided there), then releases the hold. A unit that comes back waits for
its check before it is lent again.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.accounts.permissions import is_service_agent
from propass.billing.gateways import GatewayUnavailable, Hold, PaymentDeclined, gateway
from propass.billing.invoicing import invoice_request_create
from propass.billing.models import InvoiceRequest
from propass.catalog.models import ProductModel
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from propass.core.models import LegalTextKind
from propass.core.selectors import legal_text_current
from propass.core.services import audit_record, sequence_next
from propass.core.statuses import status_move
from propass.memberships.benefits import benefit_of
from propass.memberships.enums import BenefitKind, PaymentMethod, SubscriptionStatus
from propass.memberships.models import Subscription
from propass.memberships.services import subscription_current
from propass.notifications.services import business_notify
from propass.service.enums import (
    BOOKABLE_UNITS,
    FINISHED,
    LOAN_CANCELLABLE,
    LOAN_LIVE,
    LoanCondition,
    LoanDeposit,
    LoanReminderKind,
    LoanStatus,
    LoanUnitStatus,
)
from propass.service.models import Loan, LoanPrice, LoanReminder, LoanUnit, ServiceCentre, ServiceRequest
from propass.service.services import shipment_check

logger = logging.getLogger(__name__)

NOTIFICATION_KIND = "loan"
REMINDER_KINDS = {LoanReminderKind.ENDING: "loan_ending", LoanReminderKind.LATE: "loan_late"}
REMIND_BEFORE = 2  # days before the end date
MAX_AHEAD = 365  # a loan starts within a year
NOT_FOUND = _("There is no such loan.")


@dataclass(frozen=True)
class LoanInput:
    model_id: int | None
    starts_on: date | None
    ends_on: date | None
    service_request_id: int | None = None
    accept_terms: bool = False


# --- Shared --------------------------------------------------------------------------------------------


def loan_url(loan: Loan) -> str:
    return reverse("service:loan", args=[loan.pk])


def _require_agent(user: User) -> None:
    if not is_service_agent(user):
        raise Forbidden(_("Only service centre agents can do this."))


def _locked(loan_id: int, business: Business | None = None) -> Loan:
    loans = Loan.objects.select_for_update(of=("self",)).select_related("unit", "model", "subscription")
    if business is not None:
        loans = loans.filter(business=business)
    found = loans.filter(pk=loan_id).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def _move(loan: Loan, new: str, *, actor: User | None, action: AuditAction, **fields: Any) -> None:
    if not status_move(loan, new, actor=actor, action=action, data={"reference": loan.reference}, **fields):
        raise Conflict()


def _unit_move(unit: LoanUnit, new: str, *, actor: User | None, **fields: Any) -> None:
    """Move a unit (row locked by the caller or freshly read in the caller's transaction)."""
    if unit.status == new:
        return
    if not status_move(
        unit, new, actor=actor, action=AuditAction.LOAN_UNIT_MOVE, data={"serial": unit.serial_number}, **fields
    ):
        raise Conflict()


def _notify(loan: Loan, title: Any, body: Any = "", *, kind: str = NOTIFICATION_KIND, **params: Any) -> None:
    business_notify(
        business=loan.business,
        kind=kind,
        title=title,
        body=body,
        url=loan_url(loan),
        params={"reference": loan.reference, "model": loan.model.name, **params},
    )


def _reference_next() -> str:
    """LN-<year>-<number>: gap-free per year (a refused booking hands its number back)."""
    year = timezone.localdate().year
    return f"LN-{year}-{sequence_next(name=f'loan-{year}'):06d}"


def loan_price(*, model: ProductModel, currency: str) -> LoanPrice | None:
    return LoanPrice.objects.filter(model=model, currency=currency).first()


def loan_days_allowed(*, business: Business) -> int | None:
    """The longest loan the business's tier allows, in days; None when its tier has no loans."""
    benefit = benefit_of(business=business, kind=BenefitKind.LOANS)
    return benefit.days if benefit is not None and benefit.days else None


def loan_terms_version() -> str:
    terms = legal_text_current(kind=LegalTextKind.LOAN_TERMS)
    return terms.version if terms else ""


def _overlapping(unit: LoanUnit, starts_on: date, ends_on: date) -> bool:
    return Loan.objects.filter(unit=unit, status__in=LOAN_LIVE, starts_on__lte=ends_on, ends_on__gte=starts_on).exists()


# --- The member -------------------------------------------------------------------------------------------


def _request_check(business: Business, data: LoanInput) -> tuple[Subscription, ProductModel, ServiceRequest | None]:
    errors: dict[str, list[str]] = {}
    model = ProductModel.objects.filter(pk=data.model_id).first() if data.model_id else None
    if model is None or not LoanUnit.objects.filter(model=model, status__in=BOOKABLE_UNITS).exists():
        errors["model"] = [str(_("Choose a model the loan pool lends."))]
    today = timezone.localdate()
    if data.starts_on is None:
        errors["starts_on"] = [str(_("This field is required."))]
    elif data.starts_on < today:
        errors["starts_on"] = [str(_("A loan cannot start in the past."))]
    elif data.starts_on > today + timedelta(days=MAX_AHEAD):
        errors["starts_on"] = [str(_("A loan starts within a year."))]
    if data.ends_on is None:
        errors["ends_on"] = [str(_("This field is required."))]
    elif data.starts_on is not None and data.ends_on < data.starts_on:
        errors["ends_on"] = [str(_("The end date cannot be before the start date."))]
    if not data.accept_terms:
        errors["accept_terms"] = [str(_("Please accept the loan terms."))]
    service_request = None
    if data.service_request_id:
        service_request = (
            ServiceRequest.objects.filter(pk=data.service_request_id, business=business)
            .exclude(status__in=FINISHED)
            .first()
        )
        if service_request is None:
            errors["service_request"] = [str(_("Choose one of your business's open service requests."))]
    if errors:
        raise InvalidInput(fields=errors)
    assert model is not None and data.starts_on is not None and data.ends_on is not None
    subscription = subscription_current(business=business)
    if subscription is None:
        raise Conflict(
            _("Loan equipment is a membership benefit, and your business has no active membership."),
            code="no_membership",
        )
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise Conflict(
            _("Your membership is suspended until the unpaid invoice is paid; its benefits cannot be used now."),
            code="membership_suspended",
        )
    allowed = loan_days_allowed(business=business)
    if allowed is None:
        raise Conflict(_("Your membership level does not include loan equipment."), code="not_included")
    days = (data.ends_on - data.starts_on).days + 1
    if days > allowed:
        raise InvalidInput(
            fields={
                "ends_on": [str(_("Your membership level allows loans of at most %(days)s days.") % {"days": allowed})]
            },
            code="too_many_days",
        )
    if loan_price(model=model, currency=subscription.currency) is None:
        raise Conflict(_("This model cannot be lent in your currency."), code="no_loan_price")
    return subscription, model, service_request


def loan_request(*, business: Business, actor: User, data: LoanInput) -> Loan:
    """A member asks for a model for some days: a free unit is booked at once (`requested`);
    a card member's card on file is then authorised for the deposit (held, not charged) and the
    loan is `reserved`; a declined card cancels the booking. A bank-transfer member's loan is
    reserved at once, its reference the deposit reference."""
    subscription, model, service_request = _request_check(business, data)
    assert data.starts_on is not None and data.ends_on is not None
    price = loan_price(model=model, currency=subscription.currency)
    assert price is not None
    card = subscription.payment_method == PaymentMethod.CARD and bool(subscription.card_reference)
    method = LoanDeposit.CARD_HOLD if card and price.deposit > 0 else LoanDeposit.TRANSFER
    if price.deposit <= 0:
        method = LoanDeposit.NONE
    terms = loan_terms_version()
    try:
        with transaction.atomic():
            reference = _reference_next()  # one booking at a time from here
            units = LoanUnit.objects.filter(model=model, status__in=BOOKABLE_UNITS).order_by("pk")
            chosen = None
            for unit_id in units.values_list("pk", flat=True):
                unit = LoanUnit.objects.select_for_update().filter(pk=unit_id, status__in=BOOKABLE_UNITS).first()
                if unit is not None and not _overlapping(unit, data.starts_on, data.ends_on):
                    chosen = unit
                    break
            if chosen is None:
                raise Conflict(_("No unit of this model is free for these days."), code="no_unit_free")
            loan = Loan.objects.create(
                reference=reference, business=business, created_by=actor, unit=chosen, model=model,
                subscription=subscription, starts_on=data.starts_on, ends_on=data.ends_on,
                service_request=service_request, status=LoanStatus.REQUESTED, terms_version=terms,
                terms_accepted_at=timezone.now(), deposit_method=method, deposit_amount=price.deposit,
                currency=subscription.currency, daily_late_fee=price.daily_late_fee, damage_fee=price.damage_fee,
            )  # fmt: skip
            audit_record(
                actor=actor,
                action=AuditAction.LOAN_REQUEST,
                target=loan,
                data={
                    "reference": reference,
                    "unit": chosen.pk,
                    "starts_on": str(data.starts_on),
                    "ends_on": str(data.ends_on),
                    "terms_version": terms,
                },
            )
    except IntegrityError as clash:  # PostgreSQL's exclusion constraint: booked meanwhile
        raise Conflict(_("No unit of this model is free for these days."), code="no_unit_free") from clash
    hold = None
    if method == LoanDeposit.CARD_HOLD:
        try:
            hold = gateway().hold(
                card=subscription.card_reference, amount=price.deposit, currency=subscription.currency,
                idempotency_key=f"{loan.reference}:hold",
            )  # fmt: skip
        except (PaymentDeclined, GatewayUnavailable):
            with transaction.atomic():
                locked = _locked(loan.pk)
                _move(locked, LoanStatus.CANCELLED, actor=actor, action=AuditAction.LOAN_CANCEL,
                      closed_at=timezone.now())  # fmt: skip
            raise
    with transaction.atomic():
        loan = _locked(loan.pk)
        _move(loan, LoanStatus.RESERVED, actor=actor, action=AuditAction.LOAN_RESERVE,
              hold_reference=hold.reference if hold else "")  # fmt: skip
        unit = LoanUnit.objects.select_for_update().get(pk=loan.unit_id)
        if unit.status == LoanUnitStatus.AVAILABLE:
            _unit_move(unit, LoanUnitStatus.RESERVED, actor=actor)
        loan.unit = unit
        body: Any = ""
        if hold is not None:
            body = _("A deposit of %(deposit)s %(currency)s is authorised on your card (held, not charged).")
        elif method == LoanDeposit.TRANSFER:
            body = _(
                "No deposit is taken from your account; quote %(reference)s for this loan. "
                "Damage or a late return is invoiced."
            )
        _notify(
            loan,
            _("%(reference)s: your loan of a %(model)s is reserved"),
            body,
            deposit=loan.deposit_amount,
            currency=loan.currency,
        )
    return loan


def loan_cancel(*, business: Business, actor: User, loan_id: int) -> Loan:
    """The member cancels a loan that has not been dispatched; the deposit hold is released."""
    with transaction.atomic():
        loan = _locked(loan_id, business)
        if loan.status not in LOAN_CANCELLABLE:
            raise Conflict(
                _("This loan can no longer be cancelled: the unit was dispatched."), code="illegal_transition"
            )
        _move(loan, LoanStatus.CANCELLED, actor=actor, action=AuditAction.LOAN_CANCEL, closed_at=timezone.now())
        _unit_free_if_idle(loan.unit_id, actor=actor)
        _notify(loan, _("%(reference)s: your loan is cancelled"))
    _deposit_release(loan)
    return loan


def _unit_free_if_idle(unit_id: int, *, actor: User | None) -> None:
    """A reserved unit with no live loan left is available again."""
    unit = LoanUnit.objects.select_for_update().get(pk=unit_id)
    if unit.status == LoanUnitStatus.RESERVED and not Loan.objects.filter(unit=unit, status__in=LOAN_LIVE).exists():
        _unit_move(unit, LoanUnitStatus.AVAILABLE, actor=actor)


# --- The deposit --------------------------------------------------------------------------------------


def _deposit_release(loan: Loan) -> bool:
    """Release a held deposit once (after the loan's transaction committed). A gateway that does
    not answer leaves it for the periodic job (`loan_deposits_release`)."""
    if not loan.hold_reference or loan.deposit_released_at is not None:
        return False
    try:
        gateway().release(
            hold=Hold(reference=loan.hold_reference, amount=loan.deposit_amount, currency=loan.currency),
            idempotency_key=f"{loan.reference}:release",
        )
    except (PaymentDeclined, GatewayUnavailable):
        logger.warning("the deposit of loan %s could not be released; the periodic job tries again", loan.reference)
        return False
    released = timezone.now()
    Loan.objects.filter(pk=loan.pk, deposit_released_at__isnull=True).update(deposit_released_at=released)
    loan.deposit_released_at = released
    return True


def loan_deposits_release() -> int:
    """Release the held deposits of closed or cancelled loans still held (a gateway outage)."""
    waiting = Loan.objects.filter(
        status__in=[LoanStatus.CLOSED, LoanStatus.CANCELLED], deposit_released_at__isnull=True
    ).exclude(hold_reference="")
    return sum(1 for loan in waiting if _deposit_release(loan))


# --- The service centre ---------------------------------------------------------------------------------


def loan_unit_add(*, agent: User, model_id: int, serial_number: str, centre: str, condition: str = "") -> LoanUnit:
    """Add a unit to the pool: a catalog model, its serial number, the centre that keeps it."""
    _require_agent(agent)
    serial_number = serial_number.strip()
    errors: dict[str, list[str]] = {}
    model = ProductModel.objects.filter(pk=model_id).first()
    if model is None:
        errors["model"] = [str(_("Choose a model."))]
    if not serial_number or len(serial_number) > 60:
        errors["serial_number"] = [str(_("Enter the unit's serial number (at most 60 characters)."))]
    found_centre = ServiceCentre.objects.filter(code=centre, active=True).first()
    if found_centre is None:
        errors["centre"] = [str(_("Choose a service centre."))]
    if model is not None and LoanUnit.objects.filter(model=model, serial_number=serial_number).exists():
        errors["serial_number"] = [str(_("This unit is already in the pool."))]
    if errors:
        raise InvalidInput(fields=errors)
    assert model is not None and found_centre is not None
    try:
        with transaction.atomic():
            unit = LoanUnit.objects.create(
                model=model, serial_number=serial_number, centre=found_centre, condition=condition.strip()
            )
            audit_record(actor=agent, action=AuditAction.LOAN_UNIT_ADD, target=unit,
                         data={"model": model_id, "serial": serial_number, "centre": centre})  # fmt: skip
    except IntegrityError as clash:
        raise InvalidInput(fields={"serial_number": [str(_("This unit is already in the pool."))]}) from clash
    return unit


def loan_unit_retire(*, agent: User, unit_id: int) -> LoanUnit:
    """Take a unit out of the pool for good: only one with no loan booked."""
    _require_agent(agent)
    with transaction.atomic():
        unit = LoanUnit.objects.select_for_update().filter(pk=unit_id).first()
        if unit is None:
            raise NotFound()
        if Loan.objects.filter(unit=unit, status__in=LOAN_LIVE).exists():
            raise Conflict(_("This unit has loans booked; it cannot be retired."), code="unit_booked")
        _unit_move(unit, LoanUnitStatus.RETIRED, actor=agent)
    return unit


def loan_unit_checked(*, agent: User, unit_id: int, condition: str = "") -> LoanUnit:
    """A unit back from a loan has been checked: available again (reserved when loans wait)."""
    _require_agent(agent)
    with transaction.atomic():
        unit = LoanUnit.objects.select_for_update().filter(pk=unit_id).first()
        if unit is None:
            raise NotFound()
        if unit.status != LoanUnitStatus.RETURNED_CHECK:
            raise Conflict(_("Only a unit back from a loan waits for its check."), code="illegal_transition")
        waiting = Loan.objects.filter(unit=unit, status__in=LOAN_LIVE).exists()
        fields = {"condition": condition.strip()} if condition.strip() else {}
        _unit_move(unit, LoanUnitStatus.RESERVED if waiting else LoanUnitStatus.AVAILABLE, actor=agent, **fields)
    return unit


def loan_dispatch(*, agent: User, loan_id: int, carrier: str, tracking: str) -> Loan:
    """The centre sends the unit to the member, with the carrier and the tracking number."""
    _require_agent(agent)
    carrier, tracking = shipment_check(carrier=carrier, tracking=tracking)
    with transaction.atomic():
        loan = _locked(loan_id)
        if loan.status != LoanStatus.RESERVED:
            raise Conflict(_("Only a reserved loan can be dispatched."), code="illegal_transition")
        unit = LoanUnit.objects.select_for_update().get(pk=loan.unit_id)
        if unit.status not in (LoanUnitStatus.RESERVED, LoanUnitStatus.AVAILABLE):
            raise Conflict(
                _("The unit is not ready to be sent (%(status)s)."), code="unit_not_ready",
                status=unit.get_status_display(),
            )  # fmt: skip
        _move(loan, LoanStatus.OUT, actor=agent, action=AuditAction.LOAN_DISPATCH, carrier=carrier,
              tracking=tracking, dispatched_on=timezone.localdate())  # fmt: skip
        if unit.status == LoanUnitStatus.AVAILABLE:
            _unit_move(unit, LoanUnitStatus.RESERVED, actor=agent)
        _unit_move(unit, LoanUnitStatus.OUT, actor=agent)
        _notify(
            loan,
            _("%(reference)s: your loan is on its way"),
            _("Carrier: %(carrier)s. Tracking number: %(tracking)s. Please send it back by %(ends_on)s."),
            carrier=carrier,
            tracking=tracking,
            ends_on=loan.ends_on,
        )
    return loan


def loan_return(*, agent: User, loan_id: int, returned_on: date, condition: str, note: str = "") -> Loan:
    """The centre received the unit back, in good condition or damaged. The unit waits for its
    check. A good return on time releases the deposit and closes the loan; a damaged or late
    one waits for the staff decision (`loan_settle`)."""
    _require_agent(agent)
    note = note.strip()
    errors: dict[str, list[str]] = {}
    if condition not in LoanCondition.values:
        errors["condition"] = [str(_("Choose the condition the unit came back in."))]
    if returned_on > timezone.localdate():
        errors["returned_on"] = [str(_("The day of return cannot be in the future."))]
    if len(note) > 5000:
        errors["note"] = [str(_("The note is longer than %(limit)s characters.") % {"limit": 5000})]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        loan = _locked(loan_id)
        if loan.status != LoanStatus.OUT:
            raise Conflict(_("Only a loan that is out can be returned."), code="illegal_transition")
        if loan.dispatched_on and returned_on < loan.dispatched_on:
            raise InvalidInput(fields={"returned_on": [str(_("The unit cannot come back before it was sent."))]})
        _move(loan, LoanStatus.RETURNED, actor=agent, action=AuditAction.LOAN_RETURN, returned_on=returned_on,
              return_condition=condition, return_note=note)  # fmt: skip
        unit = LoanUnit.objects.select_for_update().get(pk=loan.unit_id)
        _unit_move(unit, LoanUnitStatus.RETURNED_CHECK, actor=agent)
        settled = condition == LoanCondition.GOOD and loan.days_late() == 0
        if settled:
            _move(loan, LoanStatus.CLOSED, actor=agent, action=AuditAction.LOAN_SETTLE, closed_at=timezone.now())
            _notify(
                loan,
                _("%(reference)s: the unit is back, thank you"),
                _("The deposit hold on your card is released.") if loan.hold_reference else "",
            )
        else:
            _notify(loan, _("%(reference)s: the unit is back and is being checked"))
    if settled:
        _deposit_release(loan)
    return loan


def loan_fees(loan: Loan) -> tuple[int, Decimal, Decimal]:
    """Days late, the late fee (days times the daily fee) and the damage fee the loan would owe."""
    days = loan.days_late()
    damage = loan.damage_fee if loan.return_condition == LoanCondition.DAMAGED else Decimal("0")
    return days, loan.daily_late_fee * days, damage


def loan_settle(*, agent: User, loan_id: int, charge_late: bool, charge_damage: bool, note: str) -> Loan:
    """The staff decision on a damaged or late return, with a note: the late days times the daily
    fee and/or the damage fee (price data copied on the loan) are invoiced through the normal
    invoicing path (VAT decided there, paid like the membership: card or transfer); the loan
    closes and the deposit hold is released."""
    _require_agent(agent)
    note = note.strip()
    if not note:
        raise InvalidInput(fields={"note": [str(_("Say why, in a note the member will read."))]})
    with transaction.atomic():
        loan = _locked(loan_id)
        if loan.status != LoanStatus.RETURNED:
            raise Conflict(_("This loan is not waiting for a decision."), code="illegal_transition")
        days, late_fee, damage_fee = loan_fees(loan)
        late = late_fee if charge_late and days else Decimal("0")
        damage = damage_fee if charge_damage else Decimal("0")
        if late or damage:
            _invoice_fees(loan, days, late, damage)
        _move(loan, LoanStatus.CLOSED, actor=agent, action=AuditAction.LOAN_SETTLE, closed_at=timezone.now(),
              decision_note=note, late_fee_charged=late or None, damage_fee_charged=damage or None)  # fmt: skip
        if late or damage:
            _notify(loan, _("%(reference)s: fees of %(total)s %(currency)s excl. VAT are invoiced"),
                    _("%(note)s"), total=late + damage, currency=loan.currency, note=note)  # fmt: skip
        else:
            _notify(loan, _("%(reference)s: your loan is closed"), _("%(note)s"), note=note)
    _deposit_release(loan)
    return loan


def _invoice_fees(loan: Loan, days: int, late: Decimal, damage: Decimal) -> InvoiceRequest:
    parts = []
    with translation.override(loan.business.language):
        if late:
            parts.append(
                str(_("late return, %(days)s days × %(fee)s %(currency)s"))
                % {"days": days, "fee": loan.daily_late_fee, "currency": loan.currency}
            )
        if damage:
            parts.append(str(_("damage")))
        description = f"{loan.reference} {loan.model.name}: {', '.join(parts)}"[:200]
    return invoice_request_create(
        subscription=loan.subscription, kind=InvoiceRequest.Kind.LOAN_FEE, description=description,
        period_start=loan.starts_on, period_end=loan.returned_on or loan.ends_on, net=late + damage,
        currency=loan.currency,
    )  # fmt: skip


# --- Reminders --------------------------------------------------------------------------------------------


def loan_reminders_send(*, at: datetime) -> int:
    """Two days before a loan's end date, and each day it is late, the business is told (bell
    and e-mail), at most once per loan and day however often the job runs."""
    today = timezone.localtime(at).date()
    due = (
        Loan.objects.filter(status=LoanStatus.OUT)
        .filter(Q(ends_on=today + timedelta(days=REMIND_BEFORE)) | Q(ends_on__lt=today))
        .select_related("business", "model")
    )
    sent = 0
    for loan in due.order_by("pk"):
        kind = LoanReminderKind.LATE if loan.ends_on < today else LoanReminderKind.ENDING
        try:
            with transaction.atomic():
                LoanReminder.objects.create(loan=loan, day=today, kind=kind)
                if kind == LoanReminderKind.LATE:
                    _notify(
                        loan, _("%(reference)s: your loan was due back on %(ends_on)s"),
                        _("Please send the %(model)s back now: each day late costs %(fee)s %(currency)s excl. VAT."),
                        kind=REMINDER_KINDS[kind], ends_on=loan.ends_on, fee=loan.daily_late_fee,
                        currency=loan.currency,
                    )  # fmt: skip
                else:
                    _notify(
                        loan, _("%(reference)s: your loan ends on %(ends_on)s"),
                        _("Please send the %(model)s back by then."), kind=REMINDER_KINDS[kind], ends_on=loan.ends_on,
                    )  # fmt: skip
        except IntegrityError:
            continue  # told today already
        sent += 1
    return sent
