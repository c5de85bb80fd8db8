import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NoReturn

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.accounts.permissions import has_billing_rights
from propass.billing.collection import invoices_retry_with_new_card
from propass.billing.credit_notes import credit_note_issue
from propass.billing.gateways import CardAuthorisation, PaymentDeclined, gateway
from propass.billing.invoicing import invoice_issue, invoice_request_create
from propass.billing.models import Invoice, InvoiceKind, InvoiceRequest, InvoiceStatus
from propass.billing.vat import vat_decide
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from propass.core.models import LegalTextKind
from propass.core.selectors import legal_text_current, program_current
from propass.core.services import audit_record
from propass.core.statuses import status_move
from propass.memberships.enums import LIVE_STATUSES, PaymentMethod, SubscriptionStatus
from propass.memberships.models import MembershipNumber, PlanChange, Subscription, Tier, TierPrice
from propass.notifications.services import business_notify, email_send, notification_business
from propass.products.models import LegacyAccount


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def membership_number_new() -> str:
    """A new 9-digit membership number: random, unique, never handed out before and never
    the number of an old CPS account. Must run inside the caller's transaction."""
    for _attempt in range(50):
        number = str(100_000_000 + secrets.randbelow(900_000_000))
        if LegacyAccount.objects.filter(membership_number=number).exists():
            continue
        try:
            with transaction.atomic():
                MembershipNumber.objects.create(number=number)
        except IntegrityError:
            continue
        return number
    raise RuntimeError("no free membership number after 50 attempts")


def _require_billing_rights(actor: User, business: Business) -> None:
    if not has_billing_rights(user=actor, business=business):
        raise Forbidden(_("Only the business superuser or an administrator can change the membership."))


@dataclass
class CheckoutInput:
    tier: str
    term_years: int
    auto_renew: bool
    po_number: str
    accept_terms: bool
    payment_method: str
    payment_token: str = ""


def checkout_review(*, business: Business, actor: User, data: CheckoutInput) -> tuple[Tier, Decimal]:
    """The review step: everything but the payment is checked; returns the tier and price."""
    return _check(business, actor, data, payment=False)


def _check(business: Business, actor: User, data: CheckoutInput, *, payment: bool = True) -> tuple[Tier, Decimal]:
    if not has_billing_rights(user=actor, business=business):
        raise Forbidden(_("Only the business superuser or an administrator can buy a membership."))
    errors: dict[str, list[str]] = {}
    tier = Tier.objects.filter(code=data.tier, active=True).first()
    if tier is None:
        raise InvalidInput(fields={"tier": [str(_("This membership level is not on sale."))]})
    if business.points_balance < tier.min_points:
        raise InvalidInput(
            _("%(tier)s needs %(points)s points; your business has %(balance)s."),
            code="not_enough_points",
            fields={"tier": [str(_("Not enough points for this level."))]},
            tier=tier.name,
            points=tier.min_points,
            balance=business.points_balance,
        )
    price = TierPrice.objects.filter(tier=tier, currency=business.currency, term_years=data.term_years).first()
    if price is None:
        errors["term_years"] = [str(_("This term is not offered for this level."))]
    if len(data.po_number.strip()) > 35:
        errors["po_number"] = [str(_("The purchase order number can have at most 35 characters."))]
    if not data.accept_terms:
        errors["accept_terms"] = [str(_("Please accept the CPS Terms & Conditions."))]
    if payment and data.payment_method not in PaymentMethod.values:
        errors["payment_method"] = [str(_("Choose Credit Card or Bank Transfer."))]
    elif payment and data.payment_method == PaymentMethod.CARD and not data.payment_token:
        errors["payment_token"] = [str(_("Enter the card details."))]
    if errors:
        raise InvalidInput(fields=errors)
    if Subscription.objects.filter(business=business, status__in=LIVE_STATUSES).exists():
        raise Conflict(_("Your business already has an active membership."), code="already_member")
    assert price is not None
    return tier, price.amount


def _card_declined(declined: PaymentDeclined, *, actor: User, target: Business, tier: str) -> NoReturn:
    """A declined card: the processor's own words are for staff (the audit trail); the member
    gets ours, with what to do next, in their language (pages and API alike). The decline code
    stays for integrators."""
    audit_record(
        actor=actor,
        action=AuditAction.SUBSCRIPTION_CARD_DECLINED,
        target=target,
        data={"tier": tier, "code": declined.code, "processor_message": str(declined)},
    )
    raise PaymentDeclined(
        _(
            "Your card was not accepted, so nothing was charged and no membership was created. "
            "Try another card or choose Bank Transfer."
        )
        if tier
        else _("Your card was not accepted, so nothing was changed. Try another card."),
        code=declined.code,
    ) from declined


def subscription_checkout(
    *, business: Business, actor: User, data: CheckoutInput, ip: str | None = None
) -> Subscription:
    """CHECKOUT: the points are checked again, the card is authorised with a zero amount
    (outside the transaction: a declined card creates nothing), then in one transaction the
    ACTIVE membership for the term from today, with a new membership number. One live
    membership per business, also when two checkouts arrive at once."""
    _check(business, actor, data)
    card: CardAuthorisation | None = None
    if data.payment_method == PaymentMethod.CARD:
        try:
            card = gateway().authorise(token=data.payment_token, customer=f"business-{business.pk}")
        except PaymentDeclined as declined:
            _card_declined(declined, actor=actor, target=business, tier=data.tier)
    terms = legal_text_current(kind=LegalTextKind.PROGRAM_TERMS)
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        tier, amount = _check(locked, actor, data)
        today = timezone.localdate()
        subscription = Subscription.objects.create(
            business=locked,
            tier=tier,
            status=SubscriptionStatus.ACTIVE,
            membership_number=membership_number_new(),
            term_years=data.term_years,
            starts_on=today,
            expires_on=add_years(today, data.term_years),
            auto_renew=data.auto_renew,
            po_number=data.po_number.strip(),
            price=amount,
            currency=locked.currency,
            payment_method=data.payment_method,
            card_reference=card.reference if card else "",
            card_last4=card.last4 if card else "",
            terms_version=terms.version if terms else "",
            terms_accepted_at=timezone.now(),
            terms_accepted_by=actor,
            terms_accepted_ip=ip,
        )
        invoice_request_create(
            subscription=subscription,
            kind=InvoiceRequest.Kind.MEMBERSHIP,
            description=f"{program_current().name} : {tier.name}",
            period_start=subscription.starts_on,
            period_end=subscription.expires_on,
            net=amount,
            currency=subscription.currency,
        )
        _announce(subscription, locked)
        audit_record(
            actor=actor,
            action=AuditAction.SUBSCRIPTION_CHECKOUT,
            target=subscription,
            data={
                "before": None,
                "after": {"status": subscription.status, "tier": tier.code, "number": subscription.membership_number},
                "tier": tier.code,
                "term_years": data.term_years,
                "payment_method": data.payment_method,
            },
        )
    return subscription


def _announce(subscription: Subscription, business: Business) -> None:
    """The confirmation e-mail to the business's users and an entry under their bell."""
    program = program_current()
    notification_business(
        business=business,
        kind="subscription_active",
        title=_("Your %(tier)s membership is active"),
        body=_("Membership number %(number)s, valid until %(expires)s."),
        url=reverse("memberships:subscriptions"),
        params={
            "tier": subscription.tier.name,
            "number": subscription.membership_number,
            "expires": subscription.expires_on.isoformat(),
        },
    )
    for membership in business.memberships.select_related("user").filter(user__is_active=True):
        email_send(
            to=membership.user.email,
            template="subscription_active",
            language=membership.user.language,
            sender=program.sender,
            context={"user": membership.user, "subscription": subscription, "program": program, "business": business},
        )


def subscription_current(*, business: Business) -> Subscription | None:
    return Subscription.objects.filter(business=business, status__in=LIVE_STATUSES).select_related("tier").first()


def _live_subscription_locked(business: Business) -> Subscription:
    """The business's live membership, locked for the rest of the transaction."""
    subscription = Subscription.objects.select_for_update().filter(business=business, status__in=LIVE_STATUSES).first()
    if subscription is None:
        raise NotFound(_("Your business has no active membership."), code="no_membership")
    return subscription


def subscription_set_auto_renew(*, business: Business, actor: User, auto_renew: bool) -> Subscription:
    """Switch auto-renewal on or off (audited); billing rights needed."""
    _require_billing_rights(actor, business)
    with transaction.atomic():
        subscription = _live_subscription_locked(business)
        before = {"auto_renew": subscription.auto_renew}
        subscription.auto_renew = auto_renew
        subscription.cancelled_at = None if auto_renew else subscription.cancelled_at
        subscription.save(update_fields=["auto_renew", "cancelled_at", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.SUBSCRIPTION_AUTO_RENEW,
            target=subscription,
            data={"before": before, "after": {"auto_renew": auto_renew}, "on": auto_renew},
        )
    return subscription


def subscription_resume_renewal(*, business: Business, actor: User) -> Subscription:
    """Undo "Cancel the renewal" while the term runs: the membership renews again (audited)."""
    _require_billing_rights(actor, business)
    with transaction.atomic():
        subscription = _live_subscription_locked(business)
        if subscription.cancelled_at is None:
            raise Conflict(_("The renewal of this membership is not cancelled."), code="not_cancelled")
        before = {"auto_renew": subscription.auto_renew, "cancelled_at": subscription.cancelled_at.isoformat()}
        subscription.auto_renew = True
        subscription.cancelled_at = None
        subscription.save(update_fields=["auto_renew", "cancelled_at", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.SUBSCRIPTION_RENEWAL_RESUME,
            target=subscription,
            data={"before": before, "after": {"auto_renew": True, "cancelled_at": None}},
        )
    return subscription


@dataclass(frozen=True)
class RefundPreview:
    """What "End now with a refund" does: the membership ends today, the term's invoices are
    credited in full (`credited`, VAT included) and of that `paid` goes back to the payer."""

    ends_on: date
    credited: Decimal
    paid: Decimal
    currency: str
    payment_method: str


def refund_preview(*, subscription: Subscription) -> RefundPreview:
    """The amounts a cancellation with refund would credit and pay back; changes nothing."""
    term_requests = subscription.invoice_requests.filter(period_end=subscription.expires_on)
    creditable = [InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE, InvoiceStatus.PAID]
    invoices = list(Invoice.objects.filter(request__in=term_requests, kind=InvoiceKind.INVOICE, status__in=creditable))
    credited = sum((invoice.total for invoice in invoices), Decimal("0"))
    paid = sum((invoice.total for invoice in invoices if invoice.status == InvoiceStatus.PAID), Decimal("0"))
    pending = [request.net for request in term_requests.filter(invoiced_at__isnull=True)]
    if pending:
        vat = vat_decide(business=subscription.business)
        credited += sum((net + vat.vat_on(net) for net in pending), Decimal("0"))
    return RefundPreview(
        ends_on=timezone.localdate(),
        credited=credited,
        paid=paid,
        currency=subscription.currency,
        payment_method=subscription.payment_method,
    )


@dataclass(frozen=True)
class CancelPreview:
    """What a cancellation would do (the confirmation page, `GET …/current/cancel/`): without a
    refund the membership runs to `ends_on` and nothing is credited; with one it ends today and
    `credited` (VAT included) is credited, of which `refunded` goes back to the payer."""

    refund: bool
    refund_available: bool
    ends_on: date
    credited: Decimal
    refunded: Decimal
    currency: str


def subscription_cancel_preview(*, business: Business, actor: User, refund: bool) -> CancelPreview:
    """Preview `subscription_cancel` for the business's live membership; changes nothing."""
    _require_billing_rights(actor, business)
    subscription = subscription_current(business=business)
    if subscription is None:
        raise NotFound(_("Your business has no active membership."), code="no_membership")
    available = refund_available(subscription=subscription)
    if not refund:
        return CancelPreview(
            False, available, subscription.expires_on, Decimal("0"), Decimal("0"), subscription.currency
        )
    preview = refund_preview(subscription=subscription)
    return CancelPreview(True, available, preview.ends_on, preview.credited, preview.paid, preview.currency)


def refund_available(*, subscription: Subscription, today: date | None = None) -> bool:
    """A cancellation is refunded when the program allows refunds and the current term
    started no more than the program's refund window ago."""
    window = program_current().refund_window_days
    today = today or timezone.localdate()
    return (
        window > 0
        and subscription.status == SubscriptionStatus.ACTIVE
        and (today - subscription.starts_on).days <= window
    )


def subscription_cancel(*, business: Business, actor: User, refund: bool = False) -> Subscription:
    """Cancel: no further renewal; the membership stays active to the end of its term. With
    `refund`, inside the program's refund window, the membership ends today and every
    invoice of the current term is credited in full (the card payment refunded)."""
    _require_billing_rights(actor, business)
    with transaction.atomic():
        subscription = _live_subscription_locked(business)
        if refund:
            return _cancel_with_refund(subscription, actor)
        if subscription.cancelled_at is not None:
            raise Conflict(_("The renewal of this membership is already cancelled."), code="already_cancelled")
        before = {"auto_renew": subscription.auto_renew, "cancelled_at": None}
        subscription.auto_renew = False
        subscription.cancelled_at = timezone.now()
        subscription.save(update_fields=["auto_renew", "cancelled_at", "updated_at"])
        after = {"auto_renew": False, "cancelled_at": subscription.cancelled_at.isoformat()}
        audit_record(
            actor=actor,
            action=AuditAction.SUBSCRIPTION_CANCEL,
            target=subscription,
            data={"before": before, "after": after},
        )
    return subscription


def _cancel_with_refund(subscription: Subscription, actor: User) -> Subscription:
    if not refund_available(subscription=subscription):
        raise Conflict(
            _("A refund is only possible within %(days)s days of the start of the term."),
            code="refund_window_closed",
            days=program_current().refund_window_days,
        )
    term_requests = subscription.invoice_requests.filter(period_end=subscription.expires_on)
    for request in term_requests.filter(invoiced_at__isnull=True):
        invoice_issue(request_id=request.pk)  # the invoice is owed before it can be credited
    creditable = [InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE, InvoiceStatus.PAID]
    invoices = Invoice.objects.filter(request__in=term_requests, kind=InvoiceKind.INVOICE, status__in=creditable)
    credit_notes = [
        credit_note_issue(invoice_id=pk, reason=str(_("Cancellation with refund")), actor=actor).number
        for pk in invoices.values_list("pk", flat=True)
    ]
    status_move(
        subscription,
        SubscriptionStatus.EXPIRED,
        actor=actor,
        action=AuditAction.SUBSCRIPTION_CANCEL_REFUND,
        data={
            "before": {"auto_renew": subscription.auto_renew}, "after": {"auto_renew": False},
            "credit_notes": credit_notes,
        },
        auto_renew=False,
        cancelled_at=timezone.now(),
    )  # fmt: skip
    return subscription


def proration(
    *, price_from: Decimal, price_to: Decimal, today: date, starts_on: date, expires_on: date
) -> tuple[Decimal, int, int]:
    """The price difference for the rest of the term, counted in whole days:
    difference * days left / days in the term, rounded to the cent once."""
    days_in_term = (expires_on - starts_on).days
    days_left = max((expires_on - today).days, 0)
    amount = ((price_to - price_from) * days_left / days_in_term).quantize(Decimal("0.01"))
    return amount, days_left, days_in_term


@dataclass(frozen=True)
class PlanQuote:
    """What a change of plan to `to_tier` would do: an upgrade from today owing `amount`
    (excl. VAT; `vat` and `total` as the invoice will print them), or a downgrade from the
    renewal (`effective_on`)."""

    to_tier: Tier
    upgrade: bool
    new_price: Decimal
    current_price: Decimal
    amount: Decimal
    vat_rate: Decimal
    vat: Decimal
    total: Decimal
    days_left: int
    days_in_term: int
    effective_on: date
    currency: str


def _plan_quote(business: Business, subscription: Subscription, tier_code: str) -> PlanQuote:
    target = Tier.objects.filter(code=tier_code, active=True).first()
    if target is None or target.pk == subscription.tier_id:
        raise InvalidInput(fields={"tier": [str(_("Choose another membership level."))]})
    prices = dict(
        TierPrice.objects.filter(
            tier__in=[subscription.tier_id, target.pk],
            currency=subscription.currency,
            term_years=subscription.term_years,
        ).values_list("tier_id", "amount")
    )
    if target.pk not in prices:
        raise InvalidInput(fields={"tier": [str(_("This term is not offered for this level."))]})
    current_price = prices.get(subscription.tier_id, subscription.price)
    today = timezone.localdate()
    upgrade = prices[target.pk] > current_price
    if upgrade and business.points_balance < target.min_points:
        raise InvalidInput(
            _("%(tier)s needs %(points)s points; your business has %(balance)s."),
            code="not_enough_points",
            fields={"tier": [str(_("Not enough points for this level."))]},
            tier=target.name,
            points=target.min_points,
            balance=business.points_balance,
        )
    amount, days_left, days_in_term = Decimal("0"), 0, (subscription.expires_on - subscription.starts_on).days
    if upgrade:
        amount, days_left, days_in_term = proration(
            price_from=current_price, price_to=prices[target.pk], today=today,
            starts_on=subscription.starts_on, expires_on=subscription.expires_on,
        )  # fmt: skip
    vat = vat_decide(business=business)
    return PlanQuote(
        to_tier=target, upgrade=upgrade, new_price=prices[target.pk], current_price=current_price,
        amount=amount, vat_rate=vat.rate, vat=vat.vat_on(amount), total=amount + vat.vat_on(amount),
        days_left=days_left, days_in_term=days_in_term,
        effective_on=today if upgrade else subscription.expires_on, currency=subscription.currency,
    )  # fmt: skip


def plan_change_preview(*, business: Business, actor: User, tier_code: str) -> PlanQuote:
    """The Change Plan preview: what `subscription_change_plan` would do, changing nothing."""
    _require_billing_rights(actor, business)
    subscription = subscription_current(business=business)
    if subscription is None:
        raise NotFound(_("Your business has no active membership."), code="no_membership")
    return _plan_quote(business, subscription, tier_code)


def subscription_change_plan(*, business: Business, actor: User, tier_code: str) -> PlanChange:
    """Change plan: an upgrade to a tier the points allow now takes effect today and owes
    the price difference pro rata for the rest of the term; a downgrade is scheduled for
    the renewal."""
    _require_billing_rights(actor, business)
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        subscription = (
            Subscription.objects.select_for_update().filter(business=locked, status__in=LIVE_STATUSES).first()
        )
        if subscription is None:
            raise NotFound(_("Your business has no active membership."), code="no_membership")
        quote = _plan_quote(locked, subscription, tier_code)
        target, upgrade, today = quote.to_tier, quote.upgrade, timezone.localdate()
        before = _plan(subscription)
        if upgrade:
            amount = quote.amount
            change = PlanChange.objects.create(
                subscription=subscription, from_tier=subscription.tier, to_tier=target, effective_on=today,
                days_left=quote.days_left, days_in_term=quote.days_in_term, amount_due=amount,
                currency=subscription.currency,
                applied=True, created_by=actor,
            )  # fmt: skip
            if amount > 0:
                invoice_request_create(
                    subscription=subscription,
                    kind=InvoiceRequest.Kind.UPGRADE,
                    description=f"{program_current().name} : {subscription.tier.name} → {target.name}",
                    period_start=today,
                    period_end=subscription.expires_on,
                    net=amount,
                    currency=subscription.currency,
                )
            subscription.tier = target
            subscription.price = quote.new_price
            subscription.next_tier = None
        else:
            change = PlanChange.objects.create(
                subscription=subscription, from_tier=subscription.tier, to_tier=target,
                effective_on=subscription.expires_on, currency=subscription.currency, created_by=actor,
            )  # fmt: skip
            subscription.next_tier = target
        subscription.save(update_fields=["tier", "price", "next_tier", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.SUBSCRIPTION_CHANGE_PLAN,
            target=subscription,
            data={
                "before": before, "after": _plan(subscription),
                "to": target.code, "upgrade": upgrade, "amount_due": str(change.amount_due),
            },
        )  # fmt: skip
    return change


def _plan(subscription: Subscription) -> dict[str, str | None]:
    """The tier facts an audit entry keeps before and after a change of plan."""
    return {
        "tier": subscription.tier.code,
        "next_tier": subscription.next_tier.code if subscription.next_tier else None,
        "price": str(subscription.price),
    }


def subscription_replace_card(*, business: Business, actor: User, token: str) -> Subscription:
    """Replace the card: the new one is authorised with a zero amount first; a declined card
    changes nothing."""
    _require_billing_rights(actor, business)
    try:
        card = gateway().authorise(token=token, customer=f"business-{business.pk}")
    except PaymentDeclined as declined:
        _card_declined(declined, actor=actor, target=business, tier="")
    with transaction.atomic():
        subscription = _live_subscription_locked(business)
        subscription.payment_method = PaymentMethod.CARD
        subscription.card_reference = card.reference
        subscription.card_last4 = card.last4
        subscription.save(update_fields=["payment_method", "card_reference", "card_last4", "updated_at"])
        audit_record(
            actor=actor, action=AuditAction.SUBSCRIPTION_REPLACE_CARD, target=subscription, data={"last4": card.last4}
        )
        invoices_retry_with_new_card(subscription_id=subscription.pk, today=timezone.localdate())
    return subscription


def subscription_suspend(*, subscription_id: int, invoice: Invoice) -> bool:
    """A membership whose invoice stays unpaid for good is suspended until the invoice is paid,
    and the business's billing people are told. Only an active membership is suspended;
    returns whether this call suspended it. Runs in the caller's transaction (billing's
    `invoice_finally_unpaid`)."""
    subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None or subscription.status != SubscriptionStatus.ACTIVE:
        return False
    if not status_move(
        subscription,
        SubscriptionStatus.SUSPENDED,
        action=AuditAction.SUBSCRIPTION_SUSPEND,
        data={"invoice": invoice.number},
    ):
        return False
    business_notify(
        business=invoice.business,
        kind="subscription_suspended",
        title=_("Your membership is suspended: invoice %(number)s is unpaid"),
        body=_(
            "Invoice %(number)s of %(total)s %(currency)s was due on %(due)s. The membership is active again as "
            "soon as the invoice is paid."
        ),
        url=reverse("memberships:subscriptions"),
        params={
            "number": invoice.number,
            "total": invoice.total,
            "currency": invoice.currency,
            "due": str(invoice.due_date),
        },
        billing_only=True,
    )
    return True


def subscription_reinstate(*, subscription_id: int, invoice: Invoice, via: str) -> bool:
    """A membership suspended for an unpaid invoice is active again once the invoice is paid
    (the entry is in the invoice's audit trail). Returns whether this call reinstated it. Runs
    in the caller's transaction (billing's `invoice_paid`)."""
    subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None or subscription.status != SubscriptionStatus.SUSPENDED:
        return False
    return status_move(
        subscription,
        SubscriptionStatus.ACTIVE,
        action=AuditAction.SUBSCRIPTION_REINSTATE,
        audit_target=invoice,
        data={"subscription": subscription.pk, "via": via},
    )


def subscription_extend(
    *, subscription_id: int, days: int, reason: str, actor: User | None = None, **data: object
) -> bool:
    """Add `days` to a live membership's term (a compensation: nothing is invoiced or credited,
    the renewal simply comes later). False, and nothing changed, when the membership is no longer
    live or `days` is not positive."""
    if days <= 0:
        return False
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
        if subscription is None or subscription.status not in LIVE_STATUSES:
            return False
        before = subscription.expires_on
        Subscription.objects.filter(pk=subscription.pk).update(
            expires_on=before + timedelta(days=days), updated_at=timezone.now()
        )
        audit_record(
            actor=actor, action=AuditAction.SUBSCRIPTION_EXTEND, target=subscription,
            data={"days": days, "reason": reason, "before": before.isoformat(), **data},
        )  # fmt: skip
    return True
