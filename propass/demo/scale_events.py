"""The audit log and the bell of `propass seed-scale`, drawn from what happened to the
businesses (applications, invitations, memberships, invoices): each entry is the one the
service of that event writes, at the time it happened, so both spread over the businesses and
the years as the events do. The bell entries keep the services' English sources and parameters,
shown in each reader's language like any other."""

from datetime import timedelta
from itertools import accumulate
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from propass.core.enums import AuditAction
from propass.core.models import AuditLog
from propass.demo.scale_base import Context, Event
from propass.notifications.models import Notification
from propass.notifications.rendering import param_value, source_text

# The bell entries of the events, with the services' texts (the same msgids: nothing new to translate).
TEXTS: dict[str, tuple[str, Any, Any]] = {
    "application.approve": (
        "application_approved",
        _("Welcome to %(program)s: the business account of %(business)s is approved"),
        _("Register your products on MY PRODUCTS to earn points."),
    ),
    "business.invited": (
        "invitation",
        _("You are invited to %(program)s"),
        _("Your business has %(points)s points: choose your membership level."),
    ),
    "subscription.checkout": (
        "subscription_active",
        _("Your %(tier)s membership is active"),
        _("Membership number %(number)s, valid until %(expires)s."),
    ),
    "subscription.renew": (
        "subscription_renewed",
        _("Your %(tier)s membership has renewed"),
        _("The new term runs until %(expires)s; the invoice follows shortly."),
    ),
    "subscription.expire": (
        "subscription_expired",
        _("Your %(tier)s membership has expired"),
        _("It ended on %(expires)s. You can buy a new membership on MY SUBSCRIPTIONS at any time."),
    ),
    "subscription.suspend": (
        "subscription_suspended",
        _("Your membership is suspended: invoice %(number)s is unpaid"),
        _(
            "Invoice %(number)s of %(total)s %(currency)s was due on %(due)s. The membership is active again as "
            "soon as the invoice is paid."
        ),
    ),
    "invoice.issued": ("invoice_issued", _("Invoice %(number)s is ready"), None),
    "invoice.paid": (
        "payment_received",
        _("Payment received for invoice %(number)s"),
        _("Thank you: %(total)s %(currency)s."),
    ),
    "renewal.reminder": (
        "renewal_reminder",
        _("Your %(tier)s membership expires in %(days)s days"),
        _(
            "It ends on %(expires)s and will not renew. To keep your benefits, switch Auto-Renewal on under "
            "Manage Subscription."
        ),
    ),
}
CARD_INVOICE = _("%(total)s %(currency)s, charged to your card on the due date, %(due)s.")
TRANSFER_INVOICE = _(
    "%(total)s %(currency)s, due on %(due)s. Please transfer it to IBAN %(iban)s, BIC %(bic)s, with the "
    "reference %(reference)s."
)
AUDITED = {
    "application.submit", "application.approve", "application.reject", "password.set", "business.invited",
    "subscription.checkout", "subscription.renew", "subscription.change_plan", "subscription.expire",
    "subscription.suspend", "invoice.paid",
}  # fmt: skip
SYSTEM = (None, "system")


def _audit(ctx: Context, event: Event) -> tuple[Any, ...]:
    """(actor id, actor repr, action, target type, target id, target repr, data) as audit_record writes it."""
    d, business = event.data, ctx.businesses[event.business]
    match event.kind:
        case "application.submit":
            return (
                *SYSTEM,
                AuditAction.APPLICATION_SUBMIT,
                "onboarding.application",
                d[0],
                f"{d[1]} (application #{d[0]})",
                {},
            )
        case "application.approve":
            return (d[3], d[4], AuditAction.APPLICATION_APPROVE, "onboarding.application", d[0],
                    f"{d[1]} (application #{d[0]})", {"business": d[2]})  # fmt: skip
        case "application.reject":
            return (d[2], d[3], AuditAction.APPLICATION_REJECT, "onboarding.application", d[0],
                    f"{d[1]} (application #{d[0]})",
                    {"reason": d[4], "before": {"status": "submitted"}, "after": {"status": "rejected"}})  # fmt: skip
        case "password.set":
            return d[0], f"user #{d[0]}", AuditAction.PASSWORD_SET, "accounts.user", d[0], f"user #{d[0]}", {}
        case "business.invited":
            return (
                *SYSTEM,
                AuditAction.BUSINESS_INVITED,
                "accounts.business",
                business.id,
                business.name,
                {"balance": d[0]},
            )
        case "subscription.checkout":
            pk, target, tier, years, method, number = d[:6]
            return (business.owner_id, f"user #{business.owner_id}", AuditAction.SUBSCRIPTION_CHECKOUT,
                    "memberships.subscription", pk, target,
                    {"before": None, "after": {"status": "active", "tier": tier, "number": number}, "tier": tier,
                     "term_years": years, "payment_method": method})  # fmt: skip
        case "subscription.renew":
            pk, target, tier, ended, expires = d[:5]
            return (*SYSTEM, AuditAction.SUBSCRIPTION_RENEW, "memberships.subscription", pk, target,
                    {"before": {"tier": tier, "expires_on": ended.isoformat()},
                     "after": {"tier": tier, "expires_on": expires.isoformat()},
                     "tier": tier, "from": tier, "expires_on": expires.isoformat()})  # fmt: skip
        case "subscription.change_plan":
            pk, target, old, new, amount, owner = d
            return (owner, f"user #{owner}", AuditAction.SUBSCRIPTION_CHANGE_PLAN, "memberships.subscription", pk,
                    target, {"before": {"tier": old, "next_tier": None}, "after": {"tier": new, "next_tier": None},
                             "to": new, "upgrade": True, "amount_due": str(amount)})  # fmt: skip
        case "subscription.expire":
            return (*SYSTEM, AuditAction.SUBSCRIPTION_EXPIRE, "memberships.subscription", d[0], d[1],
                    {"before": {"status": "active"}, "after": {"status": "expired"}})  # fmt: skip
        case "subscription.suspend":
            return (*SYSTEM, AuditAction.SUBSCRIPTION_SUSPEND, "memberships.subscription", d[0], d[1],
                    {"invoice": d[2], "before": {"status": "active"}, "after": {"status": "suspended"}})  # fmt: skip
        case "invoice.paid":
            return (*SYSTEM, AuditAction.INVOICE_PAID, "billing.invoice", d[0], d[1],
                    {"via": d[2], "before": {"status": "issued"}, "after": {"status": "paid"}})  # fmt: skip
    raise ValueError(event.kind)


def _bell(ctx: Context, event: Event) -> tuple[str, Any, Any, str, dict[str, Any]]:
    """(kind, title, body, url, params) of the bell entry the event's service puts up."""
    d, kind = event.data, event.kind
    subscriptions, params = reverse("memberships:subscriptions"), {}
    url = subscriptions
    match kind:
        case "application.approve":
            url, params = reverse("products:list"), {"program": ctx.program.name, "business": d[1]}
        case "business.invited":
            params = {"program": ctx.program.name, "points": d[0]}
        case "subscription.checkout":
            params = {"tier": d[6], "number": d[5], "expires": d[7]}
        case "subscription.renew":
            params = {"tier": d[5], "expires": d[4]}
        case "subscription.expire":
            params = {"tier": d[2], "expires": d[3]}
        case "subscription.suspend":
            params = {"number": d[2], "total": d[3], "currency": d[4], "due": str(d[5])}
        case "invoice.issued":
            params = dict(zip(("number", "total", "currency", "due", "reference", "iban", "bic"), d[:7], strict=True))
        case "invoice.paid":
            params = {"number": d[1], "total": d[3], "currency": d[4]}
        case "renewal.reminder":
            url, params = reverse("memberships:manage"), {"tier": d[0], "expires": d[1], "days": d[2]}
    name, title, body = TEXTS[kind]
    if kind == "invoice.issued":
        body = CARD_INVOICE if d[7] == "card" else TRANSFER_INVOICE
    return name, title, body, url, {key: param_value(value) for key, value in params.items()}


def events_write(ctx: Context) -> None:
    """--audit entries and --notifications bell entries, drawn from the events (when there are
    fewer events than entries asked for, the rest are password-reset requests and repeated
    bell entries)."""
    rng, options, writer = ctx.rng, ctx.options, ctx.writer
    audited = [event for event in ctx.events if event.kind in AUDITED]
    chosen = rng.sample(audited, min(options.audit, len(audited)))
    rows = [(event.at, *_audit(ctx, event)) for event in chosen]
    for _extra in range(options.audit - len(chosen)):
        business = rng.choice(ctx.businesses)
        user = rng.choice(business.user_ids)
        moment = business.created + (ctx.now - business.created) * rng.random()
        rows.append((moment, None, "system", AuditAction.PASSWORD_RESET_REQUESTED, "accounts.user", user,
                     f"user #{user}", {"request": f"{rng.getrandbits(64):016x}"}))  # fmt: skip
    rows.sort(key=lambda row: row[0])
    first = writer.ids(AuditLog, len(rows))
    writer.write(
        AuditLog,
        ["id", "created_at", "actor_id", "actor_repr", "action", "target_type", "target_id", "target_repr", "data"],
        ((first + i, at, actor, actor_repr, str(action), kind, str(target), target_repr[:254], data)
         for i, (at, actor, actor_repr, action, kind, target, target_repr, data) in enumerate(rows)),
    )  # fmt: skip

    # A business's bell entries go to every user (the approval only to the one who applied).
    shown = [event for event in ctx.events if event.kind in TEXTS]
    sizes = [1 if e.kind == "application.approve" else len(ctx.businesses[e.business].user_ids) for e in shown]
    total = sum(sizes)
    if total == 0:
        positions: list[int] = []
    else:
        positions = rng.sample(range(total), min(options.notifications, total))
        positions += rng.choices(range(total), k=options.notifications - len(positions))
    positions.sort()
    bounds = list(accumulate(sizes))
    entries = []
    index = 0
    for position in positions:
        while bounds[index] <= position:
            index += 1
        event = shown[index]
        business = ctx.businesses[event.business]
        user = business.user_ids[position - (bounds[index] - sizes[index])]
        entries.append((event.at, user, event))
    entries.sort(key=lambda entry: entry[0])
    first = writer.ids(Notification, len(entries))
    writer.write(
        Notification,
        ["id", "user_id", "kind", "title", "body", "url", "params", "created_at", "read_at"],
        (_notification(ctx, first + i, at, user, event) for i, (at, user, event) in enumerate(entries)),
    )


def _notification(ctx: Context, pk: int, at: Any, user: int, event: Event) -> tuple[Any, ...]:
    kind, title, body, url, params = _bell(ctx, event)
    read_at = None
    if ctx.rng.random() < (0.85 if at < ctx.now - timedelta(days=14) else 0.3):
        read_at = min(at + timedelta(minutes=ctx.rng.randint(5, 72 * 60)), ctx.now)
    return pk, user, kind, source_text(title)[:200], source_text(body) if body else "", url, params, at, read_at
